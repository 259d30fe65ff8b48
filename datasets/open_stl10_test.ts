import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { openSTL10, STL10_CLASS_NAMES } from "./open_stl10.ts";
import { patternHWC, writePatternSplit } from "./_test_utils.ts";

async function makeDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "stl10_test_" });
  await writePatternSplit(dir, "train", 6, [1, 2, 3, 10, 5, 1]);
  await writePatternSplit(dir, "test", 3, [4, 4, 9], 100);
  await writePatternSplit(dir, "unlabeled", 5, null, 200);
  await Deno.writeTextFile(`${dir}/class_names.txt`, STL10_CLASS_NAMES.join("\n") + "\n");
  await Deno.writeTextFile(`${dir}/fold_indices.txt`, "0 2 4 \n1 3 5\n");
  return dir;
}

Deno.test("`openSTL10()` reads requested images in HWC order with 0-based labels", async () => {
  const dir = await makeDir();
  try {
    const train = await openSTL10(dir, "train");
    strictEqual(train.length, 6);
    strictEqual(train.imageSize, 96);
    deepStrictEqual(train.classNames, [...STL10_CLASS_NAMES]);
    deepStrictEqual(Array.from(train.labels()!), [0, 1, 2, 9, 4, 0]);
    deepStrictEqual(train.foldIndices, [[0, 2, 4], [1, 3, 5]]);
    // unsorted, with a repeat and a consecutive run
    const idx = [4, 1, 2, 3, 1];
    const { pixels, labels } = await train.read(idx);
    deepStrictEqual(pixels, patternHWC(idx));
    deepStrictEqual(Array.from(labels!), [4, 1, 2, 9, 1]);
    const test = await openSTL10(dir, "test");
    deepStrictEqual((await test.read([2, 0])).pixels, patternHWC([102, 100]));
    deepStrictEqual(Array.from((await test.read([2])).labels!), [8]);
    const empty = await test.read([]);
    strictEqual(empty.pixels.length, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openSTL10()` serves unlabeled and train+unlabeled like torchvision", async () => {
  const dir = await makeDir();
  try {
    const unl = await openSTL10(dir, "unlabeled");
    strictEqual(unl.length, 5);
    strictEqual(unl.labels(), null);
    const b = await unl.read([4, 0]);
    strictEqual(b.labels, null);
    deepStrictEqual(b.pixels, patternHWC([204, 200]));
    const both = await openSTL10(dir, "train+unlabeled");
    strictEqual(both.length, 11);
    deepStrictEqual(Array.from(both.labels()!), [0, 1, 2, 9, 4, 0, -1, -1, -1, -1, -1]);
    const m = await both.read([5, 6, 10, 0]);
    deepStrictEqual(m.pixels, patternHWC([5, 200, 204, 0]));
    deepStrictEqual(Array.from(m.labels!), [0, -1, -1, 0]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openSTL10()` keeps a bounded cache that returns the same bytes", async () => {
  const dir = await makeDir();
  try {
    const train = await openSTL10(dir, "train", { cacheSize: 2 });
    await train.read([0, 1, 2, 3]);
    strictEqual(train.cachedImages, 2);
    // zero the file: cached images (2, 3) still come back as before, others come back zero
    await Deno.writeFile(`${dir}/train_X.bin`, new Uint8Array(6 * 27648));
    deepStrictEqual((await train.read([3, 2])).pixels, patternHWC([3, 2]));
    deepStrictEqual((await train.read([0])).pixels, new Uint8Array(27648));
    strictEqual(train.cachedImages, 2);
    const none = await openSTL10(dir, "train", { cacheSize: 0 });
    await none.read([0, 1]);
    strictEqual(none.cachedImages, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openSTL10()` errors name the file and the problem", async () => {
  const dir = await makeDir();
  try {
    await rejects(
      openSTL10(`${dir}/nope`, "train"),
      (e: Error) => e instanceof Deno.errors.NotFound && e.message.includes("nope/train_X.bin"),
    );
    await Deno.remove(`${dir}/test_y.bin`);
    await rejects(
      openSTL10(dir, "test"),
      (e: Error) => e instanceof Deno.errors.NotFound && e.message.includes("test_y.bin"),
    );
    await Deno.writeFile(`${dir}/test_X.bin`, new Uint8Array(27648 + 100));
    await rejects(
      openSTL10(dir, "test"),
      (e: Error) =>
        e.name === "STL10FormatError" && e.message.includes("test_X.bin") &&
        e.message.includes("27748 bytes is not a multiple of 27648"),
    );
    await writePatternSplit(dir, "test", 2, [1, 2, 3]);
    await rejects(
      openSTL10(dir, "test"),
      /test_X\.bin holds 2 images but .*test_y\.bin holds 3 labels.*looks truncated/,
    );
    await writePatternSplit(dir, "test", 3, [1, 11, 3]);
    await rejects(openSTL10(dir, "test"), /test_y\.bin: label 11 at index 1 is outside 1\.\.10/);
    await writePatternSplit(dir, "test", 3, [1, 2, 0]);
    await rejects(openSTL10(dir, "test"), /test_y\.bin: label 0 at index 2 is outside 1\.\.10/);
    // truncated after opening
    const train = await openSTL10(dir, "train", { cacheSize: 0 });
    await Deno.truncate(`${dir}/train_X.bin`, 27648 * 4 + 5);
    await rejects(
      train.read([5]),
      /train_X\.bin is truncated: expected 27648 bytes at offset 138240/,
    );
    await rejects(train.read([6]), {
      name: "RangeError",
      message: `STL10Dataset.read(): indices[0] is 6: expected an integer in 0..5 (${dir} train)`,
    });
    await rejects(train.read([1.5]), {
      name: "RangeError",
      message: `STL10Dataset.read(): indices[0] is 1.5: expected an integer in 0..5 (${dir} train)`,
    });
    await rejects(openSTL10(dir, "val" as "train"), {
      name: "TypeError",
      message:
        'openSTL10(): split is "val": expected one of "train", "test", "unlabeled", "train+unlabeled"',
    });
    await rejects(openSTL10(dir, "train", { cacheSize: -1 }), {
      name: "RangeError",
      message: "openSTL10(): options.cacheSize is -1: expected an integer >= 0",
    });
    await Deno.writeTextFile(`${dir}/fold_indices.txt`, "0 1 99\n");
    await writePatternSplit(dir, "train", 6, [1, 2, 3, 10, 5, 1]);
    await rejects(openSTL10(dir, "train"), /fold_indices\.txt: fold 0 holds "99"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

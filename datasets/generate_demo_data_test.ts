import { deepStrictEqual, notDeepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import { DEMO_CLASS_NAMES, generateDemoData, renderDemoData } from "./generate_demo_data.ts";
import { openSTL10 } from "./open_stl10.ts";

const FILES = ["train_X.bin", "train_y.bin", "test_X.bin", "test_y.bin", "unlabeled_X.bin"];

async function readAll(dir: string): Promise<Uint8Array[]> {
  return await Promise.all(FILES.map((f) => Deno.readFile(`${dir}/${f}`)));
}

Deno.test("`generateDemoData()` writes valid, balanced STL10 files", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const info = await generateDemoData(dir, { trainPerClass: 3, testPerClass: 2, unlabeled: 4 });
    deepStrictEqual(info.counts, { train: 30, test: 20, unlabeled: 4 });
    const [trainX, trainY, testX, testY, unlX] = await readAll(dir);
    strictEqual(trainX.length, 30 * 27648);
    strictEqual(testX.length, 20 * 27648);
    strictEqual(unlX.length, 4 * 27648);
    for (const [y, per] of [[trainY, 3], [testY, 2]] as const) {
      const counts = new Array(11).fill(0);
      for (const v of y) counts[v]++;
      deepStrictEqual(counts, [0, ...new Array(10).fill(per)]); // bytes 1..10, balanced
    }
    // shuffled, not sorted by class
    notDeepStrictEqual(Array.from(trainY), Array.from(trainY).sort((a, b) => a - b));
    const train = await openSTL10(dir, "train");
    deepStrictEqual(train.classNames, [...DEMO_CLASS_NAMES]);
    strictEqual(train.foldIndices!.length, 10);
    ok(train.foldIndices!.every((f) => f.length === 6));
    strictEqual((await openSTL10(dir, "train+unlabeled")).length, 34);
    await rejects(Deno.stat(`${dir}/image_size.txt`), Deno.errors.NotFound);
    // no temporary files left behind
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepStrictEqual(names.sort(), [...FILES, "class_names.txt", "fold_indices.txt"].sort());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`generateDemoData()` is deterministic in its seed", async () => {
  const dirs = await Promise.all([0, 1, 2].map(() => Deno.makeTempDir()));
  try {
    const opts = { trainPerClass: 1, testPerClass: 1, unlabeled: 2, imageSize: 16 };
    await generateDemoData(dirs[0], { ...opts, seed: 5 });
    await generateDemoData(dirs[1], { ...opts, seed: 5 });
    await generateDemoData(dirs[2], { ...opts, seed: 6 });
    const [a, b, c] = await Promise.all(dirs.map(readAll));
    deepStrictEqual(a, b);
    notDeepStrictEqual(a[0], c[0]);
    strictEqual(a[0].length, 10 * 3 * 16 * 16);
    strictEqual(await Deno.readTextFile(`${dirs[0]}/image_size.txt`), "16\n");
    const ds = await openSTL10(dirs[0], "test");
    strictEqual(ds.imageSize, 16);
    strictEqual((await ds.read([0])).pixels.length, 16 * 16 * 3);
    // regenerating at 96 px in the same folder drops the size marker
    await generateDemoData(dirs[0], { trainPerClass: 1, testPerClass: 1, unlabeled: 0 });
    await rejects(Deno.stat(`${dirs[0]}/image_size.txt`), Deno.errors.NotFound);
    strictEqual((await openSTL10(dirs[0], "test")).imageSize, 96);
    // pinned checksum: the demo data must stay the same across versions and machines
    strictEqual(a[0].reduce((s, v, i) => (s + v * ((i % 7) + 1)) % 1_000_000_007, 0), PINNED_SUM);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
});
const PINNED_SUM = 4139187;

Deno.test("`generateDemoData()` classes are not separable by mean colour", async () => {
  // a nearest-centroid classifier on mean RGB must stay near chance (10%)
  const dir = await Deno.makeTempDir();
  try {
    await generateDemoData(dir, {
      trainPerClass: 20,
      testPerClass: 20,
      unlabeled: 0,
      imageSize: 24,
    });
    const meanRGB = async (split: "train" | "test") => {
      const ds = await openSTL10(dir, split);
      const { pixels, labels } = await ds.read(Array.from({ length: ds.length }, (_, i) => i));
      const px = 24 * 24;
      const feats = Array.from({ length: ds.length }, (_, n) => {
        const m = [0, 0, 0];
        for (let p = 0; p < px; p++) {
          for (let c = 0; c < 3; c++) m[c] += pixels[(n * px + p) * 3 + c];
        }
        return m.map((v) => v / px);
      });
      return { feats, labels: labels! };
    };
    const train = await meanRGB("train");
    const test = await meanRGB("test");
    const centroids = Array.from({ length: 10 }, () => [0, 0, 0]);
    train.feats.forEach((f, i) => f.forEach((v, c) => (centroids[train.labels[i]][c] += v / 20)));
    let correct = 0;
    test.feats.forEach((f, i) => {
      let best = 0, bestD = Infinity;
      centroids.forEach((m, k) => {
        const d = (f[0] - m[0]) ** 2 + (f[1] - m[1]) ** 2 + (f[2] - m[2]) ** 2;
        if (d < bestD) [best, bestD] = [k, d];
      });
      if (best === test.labels[i]) correct++;
    });
    console.log(`mean-colour nearest-centroid accuracy: ${correct / 200}`);
    ok(correct / 200 < 0.3, `mean-colour accuracy ${correct / 200}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`generateDemoData()` stripes keep their orientation", async () => {
  // horizontal stripes: brightness changes along y (vertical gradient energy dominates)
  const dir = await Deno.makeTempDir();
  try {
    const S = 48;
    await generateDemoData(dir, {
      trainPerClass: 8,
      testPerClass: 1,
      unlabeled: 0,
      imageSize: S,
      noise: 0,
    });
    const train = await openSTL10(dir, "train");
    const labels = train.labels()!;
    const { pixels } = await train.read(Array.from({ length: train.length }, (_, i) => i));
    for (let n = 0; n < train.length; n++) {
      if (labels[n] !== 6 && labels[n] !== 7) continue;
      let gx = 0, gy = 0;
      const g = (y: number, x: number) => {
        const o = ((n * S + y) * S + x) * 3;
        return pixels[o] + pixels[o + 1] + pixels[o + 2];
      };
      for (let y = 1; y < S; y++) {
        for (let x = 1; x < S; x++) {
          gx += Math.abs(g(y, x) - g(y, x - 1));
          gy += Math.abs(g(y, x) - g(y - 1, x));
        }
      }
      ok(labels[n] === 6 ? gy > 1.5 * gx : gx > 1.5 * gy, `image ${n}: gx ${gx} gy ${gy}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`generateDemoData()` rejects bad options", async () => {
  await rejects(generateDemoData("/nonexistent", { trainPerClass: 0 }), {
    name: "RangeError",
    message: "generateDemoData(): options.trainPerClass is 0: expected a positive integer",
  });
  await rejects(generateDemoData("/nonexistent", { noise: 2 }), {
    name: "RangeError",
    message: "generateDemoData(): options.noise is 2: expected a number in [0, 1]",
  });
});

Deno.test("`renderDemoData()` makes the images `generateDemoData()` writes, touching no file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const opts = { trainPerClass: 2, testPerClass: 1, unlabeled: 3, imageSize: 16, seed: 7 };
    await generateDemoData(dir, opts);
    const data = renderDemoData(opts);
    for (const split of ["train", "test", "unlabeled"] as const) {
      const source = await openSTL10(dir, split);
      const read = await source.read(Array.from({ length: source.length }, (_, i) => i));
      ok(equalBytes(data[split].pixels, read.pixels), split);
      if (split !== "unlabeled") deepStrictEqual(data[split].labels, read.labels);
    }
    const folds = (await Deno.readTextFile(`${dir}/fold_indices.txt`)).trim().split("\n");
    deepStrictEqual(data.folds.map((f) => Array.from(f).join(" ")), folds);
    deepStrictEqual(data.classNames, [...DEMO_CLASS_NAMES]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

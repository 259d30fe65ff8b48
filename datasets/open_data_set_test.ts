import assert from "node:assert/strict";
import { generateDemoData } from "./generate_demo_data.ts";
import { openDataSet } from "./open_data_set.ts";
import { writeSolidPng } from "./_test_utils.ts";
import { ImageFolderError } from "./image_folder_error.ts";
import { openSTL10 } from "./open_stl10.ts";
import { STL10FormatError } from "./stl10_format_error.ts";
import { writeClassNames, writeSTL10Split } from "./write_stl10.ts";

Deno.test("`openDataSet()` opens an stl10_binary folder's splits, and only those it has", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await generateDemoData(dir, { trainPerClass: 2, testPerClass: 1, unlabeled: 0 });
    await Deno.remove(`${dir}/unlabeled_X.bin`);
    const data = await openDataSet(dir);
    assert.equal(data.format, "stl10");
    assert.deepEqual(data.splits, ["train", "test"]);
    assert.equal((await data.split("test"))!.length, 10);
    assert.equal((await data.split("train"))!.labels()!.length, 20);
    assert.equal(await data.split("unlabeled"), null);
    assert.equal(data.classNames.length, 10);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openDataSet()` names what it expected in a folder that holds no data set", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => openDataSet(dir),
      ImageFolderError,
      `${dir} is neither an stl10_binary folder (train_X.bin, test_X.bin, unlabeled_X.bin) nor ` +
        "an image folder",
    );
    await Deno.mkdir(`${dir}/stl10_binary`);
    await Deno.writeTextFile(`${dir}/README.txt`, "");
    await assert.rejects(
      () => openDataSet(dir),
      ImageFolderError,
      `did you mean ${dir}/stl10_binary?`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openDataSet()` opens an image folder's splits, with the image folder's options", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/photos`;
    for (let c = 0; c < 12; c++) {
      await writeSolidPng(`${data}/train/class${String(c).padStart(2, "0")}/a.png`, 9, 7, [
        c,
        0,
        0,
      ]);
    }
    await writeSolidPng(`${data}/unlabeled/u.jpg.png`, 9, 7, [200, 0, 0]);
    await Deno.writeFile(`${data}/unlabeled/broken.jpg`, new Uint8Array([0xff, 0xd8, 0xff, 0]));
    const data2 = await openDataSet(data, {
      sourceSize: 5,
      cacheDir: `${dir}/cache`,
      skipBroken: true,
      progress: false,
    });
    assert.equal(data2.format, "image-folder");
    assert.equal(data2.classNames.length, 12); // any number of classes
    assert.deepEqual(data2.splits, ["train", "unlabeled", "train+unlabeled"]);
    assert.deepEqual(data2.broken.map((b) => b.path), ["unlabeled/broken.jpg"]);
    const both = (await data2.split("train+unlabeled"))!;
    assert.equal(both.imageSize, 5);
    assert.deepEqual([...both.labels()!], [...Array(12).keys(), -1]);
    assert.equal(await data2.split("test"), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`openSTL10()` takes labels up to the number of classes in class_names.txt", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const size = 2;
    const labels = Int32Array.from([0, 11, 5]);
    await writeSTL10Split(dir, "train", new Uint8Array(3 * size * size * 3), labels, {
      imageSize: size,
    });
    await Deno.writeTextFile(`${dir}/image_size.txt`, `${size}\n`);
    await assert.rejects(() => openSTL10(dir, "train"), STL10FormatError, "outside 1..10");
    await writeClassNames(dir, Array.from({ length: 12 }, (_, i) => `c${i}`));
    const train = await openSTL10(dir, "train");
    assert.deepEqual([...train.labels()!], [0, 11, 5]);
    assert.equal((await openDataSet(dir)).classNames.length, 12);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

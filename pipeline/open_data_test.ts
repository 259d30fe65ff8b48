import assert from "node:assert/strict";
import { DEMO_CLASS_NAMES, generateDemoData, STL10_CLASS_NAMES } from "@simclr/datasets";
import { writeSolidPng } from "../datasets/_test_utils.ts";
import { dataSetName, labelledSplit, openData } from "./open_data.ts";

Deno.test("`dataSetName()` says STL10 for STL10's classes, else the demo data or the folder", () => {
  assert.equal(dataSetName("data/stl10_binary", STL10_CLASS_NAMES), "STL10");
  assert.equal(dataSetName("/any/where", STL10_CLASS_NAMES), "STL10");
  assert.equal(dataSetName(null, DEMO_CLASS_NAMES), "demo data");
  assert.equal(dataSetName(".cache/demo-data-v3", DEMO_CLASS_NAMES), "demo data");
  const digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  assert.equal(dataSetName(".cache/digits-stl10/", digits), "digits-stl10");
  assert.equal(dataSetName("data/flowers/stl10_binary", digits), "flowers");
  assert.equal(dataSetName("./stl10_binary", digits), "stl10_binary");
});

Deno.test("`labelledSplit()` refuses a split without labels in one line naming the folder", async () => {
  const dir = await Deno.makeTempDir();
  await generateDemoData(dir, { trainPerClass: 1, testPerClass: 1, unlabeled: 2, imageSize: 16 });
  for (const file of ["test_X.bin", "test_y.bin"]) await Deno.remove(`${dir}/${file}`);
  const opened = await openData({ data: dir });
  assert.equal((await labelledSplit(opened, "train")).length, 10);
  await assert.rejects(() => labelledSplit(opened, "test"), {
    name: "UsageError",
    message: `--data ${dir}: no labelled test images: expected test_X.bin and test_y.bin ` +
      "(this needs labels)",
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`labelledSplit()` refuses train images all of one class in one line naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (let i = 0; i < 3; i++) await writeSolidPng(`${dir}/data/cat/${i}.png`, 8, 8, [i, 0, 0]);
    const opened = await openData({ data: `${dir}/data`, imageCache: `${dir}/cache` });
    await assert.rejects(() => labelledSplit(opened, "train"), {
      name: "UsageError",
      message: `--data ${dir}/data: its train images are all of one class (cat): expected 2 or ` +
        "more classes to train a classifier on",
    });
    await writeSolidPng(`${dir}/data/dog/0.png`, 8, 8, [9, 0, 0]);
    const two = await openData({ data: `${dir}/data`, imageCache: `${dir}/cache` });
    assert.deepEqual([...(await labelledSplit(two, "train")).labels()!], [0, 0, 0, 1]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { generateDemoData } from "./generate_demo_data.ts";
import { openDataSet } from "./open_data_set.ts";
import { STL10FormatError } from "./stl10_format_error.ts";

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
    await assert.rejects(() => openDataSet(dir), STL10FormatError, `${dir} holds no train_X.bin`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

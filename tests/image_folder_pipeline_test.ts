// Copyright 2026 the simclr authors. MIT license.
// A folder of photos end to end: pretrain on it, probe it, embed it, search it; and the one
// line each command says when the folder lacks what it needs.
import assert from "node:assert/strict";
import sharp from "sharp";
import { DEMO_CLASS_NAMES, renderDemoData } from "@simclr/datasets";
import { baseline, embed, neighbours, pretrain, probe, UsageError } from "@simclr/pipeline";

const SIDE = 24;

/**
 * The demo set's images as files in `DIR/train/<class>/`, `DIR/test/<class>/` and
 * `DIR/unlabeled/`: PNG and JPEG, every third one enlarged to 40 px, every fourth grey.
 */
async function writeImageFolder(dir: string): Promise<void> {
  const data = renderDemoData({
    trainPerClass: 6,
    testPerClass: 3,
    unlabeled: 40,
    imageSize: SIDE,
  });
  const bytes = SIDE * SIDE * 3;
  const write = async (
    split: string,
    pixels: Uint8Array,
    labels: Int32Array | null,
  ): Promise<void> => {
    for (let i = 0; i < pixels.length / bytes; i++) {
      const folder = labels === null
        ? `${dir}/${split}`
        : `${dir}/${split}/${DEMO_CLASS_NAMES[labels[i]]}`;
      await Deno.mkdir(folder, { recursive: true });
      let image = sharp(pixels.subarray(i * bytes, (i + 1) * bytes), {
        raw: { width: SIDE, height: SIDE, channels: 3 },
      });
      if (i % 3 === 0) image = image.resize(40, 40);
      if (i % 4 === 0) image = image.grayscale();
      const file = i % 2 === 0 ? image.png() : image.jpeg({ quality: 95 });
      const name = `${String(i).padStart(3, "0")}.${i % 2 ? "jpg" : "png"}`;
      await Deno.writeFile(`${folder}/${name}`, new Uint8Array(await file.toBuffer()));
    }
  };
  await write("train", data.train.pixels, data.train.labels);
  await write("test", data.test.pixels, data.test.labels);
  await write("unlabeled", data.unlabeled.pixels, null);
}

const TINY = {
  epochs: 1,
  batchSize: 16,
  imageSize: 16,
  width: 2,
  workers: 1,
  threads: 1,
  progress: () => {},
} as const;

Deno.test("`pretrain()`, `probe()`, `embed()` and `neighbours()` run on a folder of photos, and a training image finds itself", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = `${dir}/photos`;
    await writeImageFolder(data);
    const cache = `${dir}/image-cache`;
    const run = await pretrain({ ...TINY, data, out: `${dir}/run`, imageCache: cache });
    assert.equal(run.epochs, 1);
    const config = JSON.parse(await Deno.readTextFile(`${dir}/run/config.json`));
    assert.equal(config.data, data);

    const { results } = await probe({
      weights: run.checkpoints.last,
      data,
      out: `${dir}/probe`,
      sizes: [2],
      epochs: 2,
      cache: `${dir}/features`,
      imageCache: cache,
      progress: () => {},
    });
    // 10 classes: the probe is a real 10-way classifier of the 30 test images.
    assert.ok(results[2].test >= 0 && results[2].test <= 1);
    assert.ok(Number.isInteger(results[2].test * 30), `${results[2].test}`);

    const embedded = await embed({
      weights: run.checkpoints.last,
      data,
      out: `${dir}/embed`,
      imageCache: cache,
      progress: false,
    });
    assert.equal(embedded.count, 60 + 30 + 40);
    const query = `${data}/${embedded.paths[7]}`;
    const found = await neighbours({ embeddings: `${dir}/embed`, query, k: 3 });
    assert.equal(found.neighbours[0].path, embedded.paths[7]);
    assert.ok(found.neighbours[0].similarity > 0.9999, `${found.neighbours[0].similarity}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`probe()` and `baseline()` on a folder without labels say so in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeImageFolder(`${dir}/all`);
    const data = `${dir}/all/unlabeled`;
    await assert.rejects(
      () => probe({ randomInit: true, width: 2, data, out: `${dir}/p`, imageCache: `${dir}/c` }),
      UsageError,
      "no labelled train images",
    );
    await assert.rejects(
      () => baseline({ ...TINY, data, out: `${dir}/b`, imageCache: `${dir}/c` }),
      UsageError,
      "no labelled train images",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { extractFeatures, type LabelledImageSource } from "./extract_features.ts";

await tf.setBackend("cpu");

const SIZE = 8;

/** Image i is a horizontal ramp scaled by (i + 1), with label (i * 7) % 3. */
function fakeDataset(n: number, reads: number[][] = []): LabelledImageSource {
  return {
    length: n,
    read(indices: number[]) {
      reads.push(indices);
      const pixels = new Uint8Array(indices.length * SIZE * SIZE * 3);
      indices.forEach((i, b) => {
        for (let p = 0; p < SIZE * SIZE * 3; p++) {
          const x = Math.floor(p / 3) % SIZE;
          pixels[b * SIZE * SIZE * 3 + p] = Math.min(255, x * 4 * (i + 1));
        }
      });
      return Promise.resolve({ pixels, labels: Int32Array.from(indices, (i) => (i * 7) % 3) });
    },
  };
}

/** Features: the mean and the top-left value of the first channel; records the training flag. */
function fakeEncoder(flags: boolean[] = [], sizes: number[] = []) {
  return {
    apply(x: tf.Tensor4D, { training }: { training: boolean }): tf.Tensor2D {
      flags.push(training);
      sizes.push(x.shape[1]);
      const first = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, 1]); // [b, h, w, 1]
      return tf.concat([
        tf.reshape(tf.mean(first, [1, 2, 3]), [-1, 1]),
        tf.reshape(tf.slice(first, [0, 0, 0, 0], [-1, 1, 1, 1]), [-1, 1]),
      ], 1) as tf.Tensor2D; // [b, 2]
    },
  };
}

Deno.test("`extractFeatures()` normalises, encodes in eval mode and sorts by label", async () => {
  const reads: number[][] = [];
  const flags: boolean[] = [];
  const before = tf.memory().numTensors;
  const { features, labels, indices } = await extractFeatures(
    fakeEncoder(flags),
    fakeDataset(7, reads),
    {
      batchSize: 3,
      sourceSize: SIZE,
      progress: false,
    },
  );
  assert.deepEqual(reads, [[0, 1, 2], [3, 4, 5], [6]]);
  assert.deepEqual(flags, [false, false, false]);
  // Labels (i * 7) % 3 for i = 0..6: 0 1 2 0 1 2 0; stable sort: 0 3 6 | 1 4 | 2 5.
  assert.deepEqual([...labels], [0, 0, 0, 1, 1, 2, 2]);
  assert.deepEqual([...indices], [0, 3, 6, 1, 4, 2, 5]);
  const rows = features.arraySync();
  const expectedMean = (i: number) => {
    let sum = 0;
    for (let x = 0; x < SIZE; x++) sum += Math.min(255, x * 4 * (i + 1)) / 255;
    return (sum / SIZE - 0.5) / 0.5;
  };
  [0, 3, 6, 1, 4, 2, 5].forEach((i, row) => {
    assert.ok(Math.abs(rows[row][0] - expectedMean(i)) < 1e-5, `row ${row}`);
    assert.ok(Math.abs(rows[row][1] - -1) < 1e-6);
  });
  features.dispose();
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("`extractFeatures()` resizes to the image size (bilinear, half-pixel)", async () => {
  const sizes: number[] = [];
  const { features } = await extractFeatures(fakeEncoder([], sizes), fakeDataset(2), {
    sourceSize: SIZE,
    imageSize: 4,
    progress: false,
  });
  assert.deepEqual(sizes, [4]);
  // Downscaling a ramp 0,4,8,..,28 by 2 with half-pixel centres samples x = 0.5, 2.5, ...:
  // the top-left value becomes 2 / 255 for image 0.
  const rows = features.arraySync();
  assert.ok(Math.abs(rows[0][1] - (2 / 255 - 0.5) / 0.5) < 1e-5);
  features.dispose();
});

Deno.test("`extractFeatures()` reads the cache instead of encoding again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = {
      sourceSize: SIZE,
      progress: false,
      cacheDir: `${dir}/c`,
      cacheKey: "k-train",
    };
    const first = await extractFeatures(fakeEncoder(), fakeDataset(5), options);
    const flags: boolean[] = [];
    const reads: number[][] = [];
    const second = await extractFeatures(fakeEncoder(flags), fakeDataset(5, reads), options);
    assert.deepEqual(flags, []);
    assert.deepEqual(reads, []);
    assert.deepEqual(second.labels, first.labels);
    assert.deepEqual([...second.indices], [0, 3, 1, 4, 2]);
    assert.deepEqual(second.indices, first.indices);
    assert.deepEqual(second.features.arraySync(), first.features.arraySync());
    assert.deepEqual([...Deno.readDirSync(`${dir}/c`)].map((e) => e.name), ["k-train.features"]);
    tf.dispose([first.features, second.features]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`extractFeatures()` rejects empty, unlabelled and mis-sized splits", async () => {
  const encoder = fakeEncoder();
  await assert.rejects(
    () => extractFeatures(encoder, fakeDataset(0), { progress: false }),
    {
      name: "RangeError",
      message: "extractFeatures(): dataset has 0 images: expected a non-empty split",
    },
  );
  const unlabelled: LabelledImageSource = {
    length: 1,
    read: () => Promise.resolve({ pixels: new Uint8Array(SIZE * SIZE * 3), labels: null }),
  };
  await assert.rejects(
    () => extractFeatures(encoder, unlabelled, { sourceSize: SIZE, progress: false }),
    {
      name: "TypeError",
      message:
        "extractFeatures(): dataset has no labels: expected a labelled split (train or test)",
    },
  );
  await assert.rejects(
    () => extractFeatures(encoder, fakeDataset(1), { progress: false }),
    {
      name: "RangeError",
      message:
        "extractFeatures(): dataset.read() returned 192 bytes for 1 images: expected 27648 each (96x96x3)",
    },
  );
  await assert.rejects(
    () => extractFeatures(encoder, fakeDataset(1), { cacheDir: "/tmp", progress: false }),
    {
      name: "TypeError",
      message:
        'extractFeatures(): options.cacheDir is "/tmp" and options.cacheKey is undefined: expected both or neither',
    },
  );
});

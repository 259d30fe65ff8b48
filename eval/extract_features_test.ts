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
    imageSize: SIZE,
    classNames: ["a", "b", "c"],
    labels: () => Int32Array.from({ length: n }, (_, i) => (i * 7) % 3),
    read(indices) {
      reads.push(Array.from(indices));
      const pixels = new Uint8Array(indices.length * SIZE * SIZE * 3);
      Array.from(indices).forEach((i, b) => {
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

Deno.test("`extractFeatures()` resizes as PIL (antialiased) or bilinear without antialias", async () => {
  const sizes: number[] = [];
  const resized = (antialias?: boolean) =>
    extractFeatures(fakeEncoder([], sizes), fakeDataset(2), {
      sourceSize: SIZE,
      imageSize: 4,
      progress: false,
      ...(antialias === undefined ? {} : { antialias }),
    });
  const smooth = await resized();
  const plain = await resized(false);
  assert.deepEqual(sizes, [4, 4]);
  // Shrinking the ramp 0, 4, 8, ... by 2. PIL's filter (the default) centres output 0 on
  // x = 1 with support 2: pixels 0, 1, 2 weigh 0.75, 0.75, 0.25 (/ 1.75), so the top-left value
  // of image 0 is (0 * 3 + 4 * 3 + 8) / 7 / 255. Plain bilinear samples x = 0.5: 2 / 255.
  const top = (f: { features: tf.Tensor2D }) => f.features.arraySync()[0][1];
  assert.ok(Math.abs(top(smooth) - (20 / 7 / 255 - 0.5) / 0.5) < 1e-5);
  assert.ok(Math.abs(top(plain) - (2 / 255 - 0.5) / 0.5) < 1e-5);
  tf.dispose([smooth.features, plain.features]);
});

Deno.test("`extractFeatures()` encodes again when the cache was resized otherwise", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const options = {
      sourceSize: SIZE,
      imageSize: 4,
      progress: false,
      cacheDir: dir,
      cacheKey: "k-train",
    };
    const first = await extractFeatures(fakeEncoder(), fakeDataset(3), options);
    const flags: boolean[] = [];
    const plain = await extractFeatures(fakeEncoder(flags), fakeDataset(3), {
      ...options,
      antialias: false,
    });
    assert.deepEqual(flags, [false]); // encoded, not read back
    assert.notDeepEqual(plain.features.arraySync(), first.features.arraySync());
    tf.dispose([first.features, plain.features]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
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
    imageSize: SIZE,
    classNames: [],
    labels: () => null,
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
    // A source that says 96 px but returns 8 px images.
    () => extractFeatures(encoder, { ...fakeDataset(1), imageSize: 96 }, { progress: false }),
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

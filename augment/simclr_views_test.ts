import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { simclrViews } from "./simclr_views.ts";
import { applyViewParams } from "./apply_view_params.ts";
import { createRng } from "./rng.ts";
import { sampleViewParams, type ViewParams } from "./sample_view_params.ts";

await tf.setBackend("cpu");

const images = tf.randomUniform([3, 24, 24, 3], 0, 1, "float32", 1) as tf.Tensor4D;

Deno.test("`simclrViews()` is reproducible for a seed and differs between seeds", () => {
  const before = tf.memory().numTensors;
  const a = simclrViews(images, { seed: 5, size: 16 });
  const b = simclrViews(images, { seed: 5, size: 16 });
  const c = simclrViews(images, { seed: 6, size: 16 });
  assert.equal(tf.memory().numTensors, before + 3);
  assert.deepEqual(a.shape, [6, 16, 16, 3]);
  assert.deepEqual(new Uint8Array(a.dataSync().buffer), new Uint8Array(b.dataSync().buffer));
  assert.notDeepEqual(a.dataSync(), c.dataSync());
  tf.dispose([a, b, c]);
});

Deno.test("`simclrViews()` stacks views view-major with parameters drawn in that order", () => {
  const views = simclrViews(images, { seed: 9, size: 16, nViews: 3 });
  assert.deepEqual(views.shape, [9, 16, 16, 3]);
  // The same views from the documented sampling: createRng(seed), view 0 of images 0..N-1,
  // then view 1, ...; every draw from the defaults.
  const rng = createRng(9);
  const params: ViewParams[] = [];
  for (let i = 0; i < 9; i++) params.push(sampleViewParams(rng, 24, 24));
  const tiled = tf.concat([images, images, images]);
  const expected = applyViewParams(tiled, params, { size: 16, antialias: true });
  assert.deepEqual(views.dataSync(), expected.dataSync());
  // antialias: false is the float-tensor resize; the crops shrink 24 px to 16, so it differs.
  const plain = simclrViews(images, { seed: 9, size: 16, nViews: 3, antialias: false });
  const plainExpected = applyViewParams(tiled, params, { size: 16 });
  assert.deepEqual(plain.dataSync(), plainExpected.dataSync());
  assert.notDeepEqual(plain.dataSync(), views.dataSync());
  tf.dispose([plain, plainExpected]);
  // Views of one image differ; outputs are normalized to [-1, 1].
  const data = views.dataSync();
  const block = 16 * 16 * 3;
  assert.notDeepEqual(data.slice(0, block), data.slice(3 * block, 4 * block));
  assert(data.every((v) => v >= -1 - 1e-6 && v <= 1 + 1e-6));
  tf.dispose([views, tiled, expected]);
});

Deno.test("`simclrViews()` takes STL10-style bytes and int32 tensors like float images", () => {
  const pixels = new Uint8Array(2 * 20 * 20 * 3).map((_, i) => (i * 37) % 256);
  const floats = tf.div(tf.tensor4d(Array.from(pixels), [2, 20, 20, 3]), 255) as tf.Tensor4D;
  const ints = tf.tensor4d(Array.from(pixels), [2, 20, 20, 3], "int32");
  const a = simclrViews({ pixels, height: 20, width: 20 }, { seed: 3, size: 12 });
  const b = simclrViews(floats, { seed: 3, size: 12 });
  const c = simclrViews(ints, { seed: 3, size: 12 });
  assert.deepEqual(a.dataSync(), b.dataSync());
  assert.deepEqual(c.dataSync(), b.dataSync());
  tf.dispose([floats, ints, a, b, c]);
});

Deno.test("`simclrViews()` with every random transform off is a normalized resize", () => {
  const out = simclrViews(images, {
    seed: 0,
    nViews: 1,
    size: 24,
    flipProbability: 0,
    cropScale: [1, 1],
    cropRatio: [1, 1],
    jitterProbability: 0,
    grayscaleProbability: 0,
    blurSigma: [1e-3, 1e-3],
    mean: [0],
    std: [1],
  });
  const diff = tf.max(tf.abs(tf.sub(out, images))).dataSync()[0];
  assert(diff < 1e-6, `max difference ${diff}`);
  out.dispose();
});

Deno.test("`simclrViews()` rejects bad options naming them", () => {
  const bad: [Record<string, unknown>, string][] = [
    [
      { size: 0 },
      "options.size is 0: expected a positive integer or [height, width] of positive integers",
    ],
    [{ nViews: 0 }, "options.nViews is 0: expected a positive integer"],
    [{ jitterProbability: 1.2 }, "options.jitterProbability is 1.2: expected a number in [0, 1]"],
    [{ cropScale: [1, 0.1] }, "options.cropScale is [1, 0.1]: expected 0 < min <= max"],
    [
      { cropRatio: [4 / 3, 3 / 4] },
      `options.cropRatio is [${4 / 3}, 0.75]: expected 0 < min <= max`,
    ],
    [{ brightness: [2, 1] }, "options.brightness is [2, 1]: expected 0 <= min <= max"],
    [{ hue: 0.7 }, "options.hue is 0.7: expected a number in [0, 0.5] or a [min, max] range"],
    [{ blurKernelSize: 4 }, "options.blurKernelSize is 4: expected an odd positive integer"],
    [{ seed: 0.5 }, "options.seed is 0.5: expected an integer"],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => simclrViews(images, { seed: 1, ...options }), {
      name: "RangeError",
      message: `simclrViews(): ${message}`,
    });
  }
  assert.throws(() => simclrViews(images, { seed: 1, antialias: "yes" as never }), {
    name: "TypeError",
    message: 'simclrViews(): options.antialias is "yes": expected a boolean',
  });
  const gray = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
  assert.throws(() => simclrViews(gray, { seed: 1 }), {
    name: "RangeError",
    message: "simclrViews(): images has 1 channels (shape [2, 8, 8, 1]): expected 3 (RGB, NHWC)",
  });
  assert.throws(() => simclrViews({ pixels: new Uint8Array(10) }, { seed: 1 }), {
    name: "RangeError",
    message:
      "simclrViews(): images.pixels has 10 bytes: expected a whole number of images of 96x96x3 = 27648 bytes",
  });
  gray.dispose();
});

Deno.test("`simclrViews()` of a batch's parts, put together view by view, are the batch's views", async () => {
  const images = tf.randomUniform([5, 12, 12, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const options = { seed: 6, size: 8, nViews: 3 };
  const whole = simclrViews(images, options); // [3 * 5, 8, 8, 3]
  const parts = [[0, 2], [2, 3]].map(([start, count]) =>
    simclrViews(tf.slice(images, [start], [count]), { ...options, part: { batchSize: 5, start } })
  );
  const joined = tf.concat(
    [0, 1, 2].flatMap((v) =>
      parts.map((p) => tf.slice(p, [v * (p.shape[0] / 3)], [p.shape[0] / 3]))
    ),
  );
  assert.deepEqual(await joined.data(), await whole.data());
  assert.throws(
    () => simclrViews(images, { ...options, part: { batchSize: 6, start: 2 } }),
    {
      name: "RangeError",
      message: "simclrViews(): options.part.start is 2: expected an integer in [0, 1]",
    },
  );
  tf.dispose([images, whole, joined, ...parts]);
});

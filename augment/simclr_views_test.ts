import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { simclrViews } from "./simclr_views.ts";
import { applyViewParams } from "./apply_view_params.ts";
import { createRng } from "./rng.ts";
import { sampleViewParams, type ViewParams } from "./sample_view_params.ts";

await tf.setBackend("cpu");

const images = tf.randomUniform([3, 24, 24, 3], 0, 1, "float32", 1) as tf.Tensor4D;

Deno.test("simclrViews() is reproducible for a seed and differs between seeds", () => {
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

Deno.test("simclrViews() stacks views view-major with parameters drawn in that order", () => {
  const views = simclrViews(images, { seed: 9, size: 16, nViews: 3 });
  assert.deepEqual(views.shape, [9, 16, 16, 3]);
  // The same views from the documented sampling: createRng(seed), view 0 of images 0..N-1,
  // then view 1, ...; every draw from the defaults.
  const rng = createRng(9);
  const params: ViewParams[] = [];
  for (let i = 0; i < 9; i++) params.push(sampleViewParams(rng, 24, 24));
  const tiled = tf.concat([images, images, images]);
  const expected = applyViewParams(tiled, params, { size: 16 });
  assert.deepEqual(views.dataSync(), expected.dataSync());
  // Views of one image differ; outputs are normalized to [-1, 1].
  const data = views.dataSync();
  const block = 16 * 16 * 3;
  assert.notDeepEqual(data.slice(0, block), data.slice(3 * block, 4 * block));
  assert(data.every((v) => v >= -1 - 1e-6 && v <= 1 + 1e-6));
  tf.dispose([views, tiled, expected]);
});

Deno.test("simclrViews() takes STL10-style bytes and int32 tensors like float images", () => {
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

Deno.test("simclrViews() with every random transform off is a normalized resize", () => {
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

Deno.test("simclrViews() rejects bad options naming them", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ size: 0 }, /size is 0/],
    [{ nViews: 0 }, /nViews is 0/],
    [{ jitterProbability: 1.2 }, /jitterProbability is 1.2/],
    [{ cropScale: [1, 0.1] }, /cropScale is \[1, 0.1\]/],
    [{ cropRatio: [4 / 3, 3 / 4] }, /cropRatio is/],
    [{ brightness: [2, 1] }, /brightness is \[2, 1\]/],
    [{ hue: 0.7 }, /hue is/],
    [{ blurKernelSize: 4 }, /kernelSize is 4/],
    [{ seed: 0.5 }, /seed is 0.5/],
  ];
  for (const [options, message] of bad) {
    assert.throws(() => simclrViews(images, { seed: 1, ...options }), {
      name: "RangeError",
      message,
    });
  }
  const gray = tf.zeros([2, 8, 8, 1]) as tf.Tensor4D;
  assert.throws(() => simclrViews(gray, { seed: 1 }), {
    name: "RangeError",
    message: /1 channels/,
  });
  assert.throws(() => simclrViews({ pixels: new Uint8Array(10) }, { seed: 1 }), {
    name: "RangeError",
    message: /pixels has 10 bytes/,
  });
  gray.dispose();
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { baselineView } from "./baseline_view.ts";
import { applyViewParams } from "./apply_view_params.ts";
import { createRng } from "./rng.ts";
import { sampleViewParams } from "./sample_view_params.ts";

await tf.setBackend("cpu");

Deno.test("`baselineView()` is the baseline's train_transforms: no jitter, scale [0.8, 1], sigma [0.1, 0.5]", () => {
  const images = tf.randomUniform([4, 24, 24, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const out = baselineView(images, { seed: 12, size: 16 });
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(out.shape, [4, 16, 16, 3]);
  const rng = createRng(12);
  const params = Array.from({ length: 4 }, () =>
    sampleViewParams(rng, 24, 24, {
      cropScale: [0.8, 1],
      blurSigma: [0.1, 0.5],
      jitterProbability: 0,
    }));
  const expected = applyViewParams(images, params, { size: 16, antialias: true });
  assert.deepEqual(out.dataSync(), expected.dataSync());
  tf.dispose([images, out, expected]);
});

Deno.test("`baselineView()` samples crops of at least 80% area and small sigmas", () => {
  const rng = createRng(4);
  for (let i = 0; i < 2000; i++) {
    const p = sampleViewParams(rng, 96, 96, {
      cropScale: [0.8, 1],
      blurSigma: [0.1, 0.5],
      jitterProbability: 0,
    });
    assert.equal(p.jitter, null);
    assert(p.sigma! >= 0.1 && p.sigma! < 0.5);
    // rounding each side can lose a little of the 80%
    assert(p.box[2] * p.box[3] >= 0.78 * 96 * 96);
  }
  const images = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
  assert.throws(() => baselineView(images, { seed: 1, cropScale: [0.9, 0.8] }), {
    name: "RangeError",
    message: "baselineView(): options.cropScale is [0.9, 0.8]: expected 0 < min <= max",
  });
  images.dispose();
});

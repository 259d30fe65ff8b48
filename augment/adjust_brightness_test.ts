import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { adjustBrightness } from "./adjust_brightness.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`adjustBrightness()` matches torchvision per image, factor 0 included", () => {
  const c = fixture("adjustBrightness");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = adjustBrightness(images, c.factors as number[]);
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-4, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`adjustBrightness()` accepts a tf.Tensor1D of factors", () => {
  const c = fixture("adjustBrightness");
  const images = load(c.input);
  const factors = tf.tensor1d(c.factors as number[]);
  const out = adjustBrightness(images, factors);
  assert(maxError(out, c.expected) < 1e-4);
  tf.dispose([images, out, factors]);
});

Deno.test("`adjustBrightness()` rejects negative factors and wrong lengths", () => {
  const images = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
  assert.throws(() => adjustBrightness(images, [1, -0.5]), {
    name: "RangeError",
    message: "adjustBrightness(): factors[1] is -0.5: expected a factor >= 0",
  });
  assert.throws(() => adjustBrightness(images, [1]), {
    name: "RangeError",
    message: "adjustBrightness(): factors has length 1: expected 2 (one per image)",
  });
  const wrong = tf.zeros([3]) as tf.Tensor1D;
  assert.throws(() => adjustBrightness(images, wrong), {
    name: "RangeError",
    message:
      "adjustBrightness(): factors has shape [3]: expected a tf.Tensor1D of length 2 (one per image)",
  });
  tf.dispose([images, wrong]);
});

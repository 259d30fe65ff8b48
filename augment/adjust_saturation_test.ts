import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { adjustSaturation } from "./adjust_saturation.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`adjustSaturation()` matches torchvision per image, factor 0 included", () => {
  const c = fixture("adjustSaturation");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = adjustSaturation(images, c.factors as number[]);
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-4, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`adjustSaturation()` rejects wrong channel counts", () => {
  const images = tf.zeros([1, 4, 4, 1]) as tf.Tensor4D;
  assert.throws(() => adjustSaturation(images, [1]), {
    name: "RangeError",
    message:
      "adjustSaturation(): images has 1 channels (shape [1, 4, 4, 1]): expected 3 (RGB, NHWC)",
  });
  images.dispose();
});

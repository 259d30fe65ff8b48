import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { adjustContrast } from "./adjust_contrast.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`adjustContrast()` matches torchvision per image, factor 0 included", () => {
  const c = fixture("adjustContrast");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = adjustContrast(images, c.factors as number[]);
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-4, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`adjustContrast()` rejects a negative factor", () => {
  const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  assert.throws(() => adjustContrast(images, [-1]), {
    name: "RangeError",
    message: "adjustContrast(): factors[0] is -1: expected a factor >= 0",
  });
  images.dispose();
});

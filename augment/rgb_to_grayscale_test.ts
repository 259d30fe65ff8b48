import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { rgbToGrayscale } from "./rgb_to_grayscale.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`rgbToGrayscale()` matches torchvision with 3 output channels", () => {
  const c = fixture("rgbToGrayscale");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = rgbToGrayscale(images);
  assert.equal(tf.memory().numTensors, before + 1);
  assert.deepEqual(out.shape, images.shape);
  const error = maxError(out, c.expected);
  assert(error < 1e-4, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`rgbToGrayscale()` rejects rank 3 and int32 tensors", () => {
  const rank3 = tf.zeros([4, 4, 3]);
  assert.throws(() => rgbToGrayscale(rank3 as unknown as tf.Tensor4D), {
    name: "RangeError",
    message: "rgbToGrayscale(): images has shape [4, 4, 3]: expected rank 4, NHWC [N, H, W, 3]",
  });
  const ints = tf.zeros([1, 4, 4, 3], "int32") as tf.Tensor4D;
  assert.throws(() => rgbToGrayscale(ints), {
    name: "TypeError",
    message: "rgbToGrayscale(): images has dtype int32: expected float32 in [0, 1]",
  });
  tf.dispose([rank3, ints]);
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { gaussianBlur } from "./gaussian_blur.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

for (const k of [9, 3]) {
  Deno.test(`\`gaussianBlur()\` matches torchvision with kernel ${k}, sigma 0.1 to 2 and beyond`, () => {
    const c = fixture(`gaussianBlur${k}`);
    const images = load(c.input);
    const before = tf.memory().numTensors;
    const out = gaussianBlur(images, c.kernelSize as number, c.sigmas as number[]);
    assert.equal(tf.memory().numTensors, before + 1);
    const error = maxError(out, c.expected);
    assert(error < 1e-4, `max error ${error}`);
    tf.dispose([images, out]);
  });
}

Deno.test("`gaussianBlur()` takes sigmas as a tf.Tensor1D", () => {
  const c = fixture("gaussianBlur9");
  const images = load(c.input);
  const sigmas = tf.tensor1d(c.sigmas as number[]);
  const out = gaussianBlur(images, 9, sigmas);
  const error = maxError(out, c.expected);
  assert(error < 1e-4, `max error ${error}`);
  tf.dispose([images, sigmas, out]);
});

Deno.test("`gaussianBlur()` rejects even kernels, kernels too big to reflect and sigma 0", () => {
  const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  assert.throws(() => gaussianBlur(images, 4, [1]), {
    name: "RangeError",
    message: "gaussianBlur(): kernelSize is 4: expected an odd positive integer",
  });
  assert.throws(() => gaussianBlur(images, 9, [1]), {
    name: "RangeError",
    message:
      "gaussianBlur(): kernelSize is 9: expected an odd integer <= 7 to reflect-pad 4x4 images",
  });
  assert.throws(() => gaussianBlur(images, 3, [0]), {
    name: "RangeError",
    message: "gaussianBlur(): sigmas[0] is 0: expected a sigma > 0",
  });
  images.dispose();
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { normalize } from "./normalize.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`normalize()` matches torchvision with per-channel mean and std", () => {
  const c = fixture("normalize");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = normalize(images, c.mean as number[], c.std as number[]);
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-5, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`normalize()` rejects std 0 and 2 channels of mean", () => {
  const images = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
  assert.throws(() => normalize(images, [0.5], [0]), {
    name: "RangeError",
    message: "normalize(): std[0] is 0: expected a finite number other than 0",
  });
  assert.throws(() => normalize(images, [0.5, 0.5], [1]), {
    name: "RangeError",
    message: "normalize(): mean is [0.5, 0.5]: expected 1 or 3 numbers (per channel)",
  });
  images.dispose();
});

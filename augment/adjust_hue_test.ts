import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { adjustHue } from "./adjust_hue.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`adjustHue()` matches torchvision for shifts -0.5, -0.1, 0, 0.1, 0.5", () => {
  const c = fixture("adjustHue");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = adjustHue(images, c.shifts as number[]);
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-3, `max error ${error}`);
  tf.dispose([images, out]);
});

Deno.test("`adjustHue()` keeps grey pixels grey and rejects shifts outside [-0.5, 0.5]", () => {
  const grey = tf.fill([1, 2, 2, 3], 0.3) as tf.Tensor4D;
  const out = adjustHue(grey, [0.25]);
  for (const v of out.dataSync()) assert(Math.abs(v - 0.3) < 1e-6);
  assert.throws(() => adjustHue(grey, [0.6]), {
    name: "RangeError",
    message: "adjustHue(): shifts[0] is 0.6: expected a hue shift in [-0.5, 0.5]",
  });
  tf.dispose([grey, out]);
});

Deno.test("`adjustHue()` takes shifts as a tf.Tensor1D", () => {
  const c = fixture("adjustHue");
  const images = load(c.input);
  const shifts = tf.tensor1d(c.shifts as number[]);
  const out = adjustHue(images, shifts);
  const error = maxError(out, c.expected);
  assert(error < 1e-3, `max error ${error}`);
  tf.dispose([images, shifts, out]);
});

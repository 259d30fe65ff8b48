import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { horizontalFlip } from "./horizontal_flip.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`horizontalFlip()` matches torchvision's hflip on the flagged images only", () => {
  const c = fixture("horizontalFlip");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = horizontalFlip(images, c.flags as boolean[]);
  assert.equal(tf.memory().numTensors, before + 1);
  assert.equal(maxError(out, c.expected), 0);
  assert.throws(() => horizontalFlip(images, [true]), {
    name: "RangeError",
    message: "horizontalFlip(): flags has length 1: expected boolean[] of length 5",
  });
  tf.dispose([images, out]);
});

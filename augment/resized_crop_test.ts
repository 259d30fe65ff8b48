import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { type Box, resizedCrop } from "./resized_crop.ts";
import { fixture, load, maxError } from "./_test_utils.ts";

await tf.setBackend("cpu");

const cases = [
  "resizedCrop8x8",
  "resizedCrop10x10",
  "resizedCrop6x6",
  "resizedCrop7x11",
  "resizedCrop20x20",
  "resizedCropEdges",
];
for (const name of cases) {
  Deno.test(`\`resizedCrop()\` matches torchvision (${name}: borders, up- and downsampling)`, () => {
    const c = fixture(name);
    const images = load(c.input);
    const before = tf.memory().numTensors;
    const out = resizedCrop(images, c.boxes as Box[], c.size as [number, number]);
    assert.equal(tf.memory().numTensors, before + 1);
    const error = maxError(out, c.expected);
    assert(error < 1e-4, `max error ${error}`);
    tf.dispose([images, out]);
  });
}

Deno.test("`resizedCrop()` of the whole image at its own size is the identity", () => {
  const images = tf.randomUniform([2, 5, 7, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const out = resizedCrop(images, [[0, 0, 5, 7], [0, 0, 5, 7]], [5, 7]);
  assert.deepEqual(out.dataSync(), images.dataSync());
  tf.dispose([images, out]);
});

Deno.test("`resizedCrop()` rejects size <= 0 and empty boxes", () => {
  const images = tf.zeros([1, 8, 8, 3]) as tf.Tensor4D;
  assert.throws(() => resizedCrop(images, [[0, 0, 4, 4]], 0), {
    name: "RangeError",
    message:
      "resizedCrop(): size is 0: expected a positive integer or [height, width] of positive integers",
  });
  assert.throws(() => resizedCrop(images, [[0, 0, 0, 4]], 4), {
    name: "RangeError",
    message:
      "resizedCrop(): boxes[0] is [0, 0, 0, 4]: expected integers [top, left, height, width] with height, width > 0",
  });
  assert.throws(() => resizedCrop(images, [], 4), {
    name: "RangeError",
    message: "resizedCrop(): boxes has length 0: expected 1 (one per image)",
  });
  images.dispose();
});

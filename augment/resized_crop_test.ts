import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { horizontalFlip } from "./horizontal_flip.ts";
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

for (const size of ["8x8", "6x6", "3x4", "7x11", "20x20", "Edges"]) {
  const name = `resizedCropAntialias${size}`;
  Deno.test(`\`resizedCrop()\` with antialias matches torchvision's antialias=True (${name})`, () => {
    const c = fixture(name);
    const images = load(c.input);
    const out = resizedCrop(images, c.boxes as Box[], c.size as [number, number], {
      antialias: true,
    });
    const error = maxError(out, c.expected);
    assert(error < 1e-5, `max error ${error}`);
    tf.dispose([images, out]);
  });
}

Deno.test("`resizedCrop()` with antialias differs from the plain resize where it shrinks", () => {
  // The whole 12x16 image to 6x6 (scale 2 and 2.67): the filters differ...
  const c = fixture("resizedCropAntialias6x6");
  const images = load(c.input);
  const plain = resizedCrop(images, c.boxes as Box[], [6, 6]);
  assert(maxError(plain, c.expected) > 0.05);
  // ...and upsampling (every box to 20x20 is a magnification) is the same filter.
  const up = fixture("resizedCropAntialias20x20");
  const upPlain = resizedCrop(images, up.boxes as Box[], [20, 20]);
  assert(maxError(upPlain, up.expected) < 1e-5);
  tf.dispose([images, plain, upPlain]);
});

for (const size of ["8x10", "5x5", "9x13"]) {
  const name = `pilResizedCrop${size}`;
  Deno.test(`\`resizedCrop()\` with antialias matches PIL within its 8-bit rounding (${name})`, () => {
    // PIL (the tutorial's transforms on PIL images) rounds to 8 bits after its horizontal and
    // its vertical pass; the weights are non-negative and sum to 1, so the intermediate
    // rounding moves a result by at most 0.5 / 255 and the final one by 0.5 / 255 more.
    const c = fixture(name);
    const images = load(c.input);
    const flips = c.flips as boolean[];
    const flipped = horizontalFlip(images, flips);
    const out = resizedCrop(flipped, c.boxes as Box[], c.size as [number, number], {
      antialias: true,
    });
    const error = maxError(out, c.expected);
    assert(error <= 1 / 255 + 1e-6, `max error ${error * 255} / 255`);
    // Without antialias, the shrinking boxes are far off PIL's.
    const plain = resizedCrop(flipped, c.boxes as Box[], c.size as [number, number]);
    if (size !== "9x13") assert(maxError(plain, c.expected) > 8 / 255);
    tf.dispose([images, flipped, out, plain]);
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
  assert.throws(() => resizedCrop(images, [[0, 0, 4, 4]], 4, { antialias: 1 as never }), {
    name: "TypeError",
    message: "resizedCrop(): options.antialias is 1: expected a boolean",
  });
  images.dispose();
});

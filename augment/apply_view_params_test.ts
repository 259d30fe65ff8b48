import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { applyViewParams } from "./apply_view_params.ts";
import type { ViewParams } from "./sample_view_params.ts";
import { fixture, load, maxError } from "./_test_utils.ts";
import { adjustBrightness } from "./adjust_brightness.ts";
import { adjustContrast } from "./adjust_contrast.ts";
import { adjustSaturation } from "./adjust_saturation.ts";
import { adjustHue } from "./adjust_hue.ts";
import { resizedCrop } from "./resized_crop.ts";
import { horizontalFlip } from "./horizontal_flip.ts";

await tf.setBackend("cpu");

Deno.test("`applyViewParams()` matches torchvision's composed contrast_transforms per image", () => {
  const c = fixture("pipeline");
  const images = load(c.input);
  const before = tf.memory().numTensors;
  const out = applyViewParams(images, c.params as ViewParams[], {
    size: c.size as number,
    blurKernelSize: c.kernelSize as number,
  });
  assert.equal(tf.memory().numTensors, before + 1);
  const error = maxError(out, c.expected);
  assert(error < 1e-3, `max error ${error}`); // includes hue
  tf.dispose([images, out]);
});

Deno.test("`applyViewParams()` equals the functional ops applied one image at a time", () => {
  const images = tf.randomUniform([3, 20, 20, 3], 0, 1, "float32", 8) as tf.Tensor4D;
  const params: ViewParams[] = [
    {
      flip: true,
      box: [2, 5, 12, 9],
      jitter: { order: [2, 3, 1, 0], brightness: 1.2, contrast: 0.7, saturation: 1.4, hue: 0.05 },
      grayscale: false,
      sigma: null,
    },
    {
      flip: false,
      box: [0, 0, 20, 20],
      jitter: { order: [3, 0, 2, 1], brightness: 0.6, contrast: null, saturation: 0.2, hue: -0.08 },
      grayscale: false,
      sigma: null,
    },
    { flip: true, box: [5, 0, 15, 15], jitter: null, grayscale: false, sigma: null },
  ];
  const out = applyViewParams(images, params, { size: 10, mean: [0], std: [1] });
  const parts = params.map((p, i) =>
    tf.tidy(() => {
      let x = tf.slice(images, [i, 0, 0, 0], [1, 20, 20, 3]) as tf.Tensor4D;
      x = horizontalFlip(x, [p.flip]);
      x = resizedCrop(x, [p.box], 10);
      for (const op of p.jitter?.order ?? []) {
        const j = p.jitter!;
        if (op === 0 && j.brightness !== null) x = adjustBrightness(x, [j.brightness]);
        if (op === 1 && j.contrast !== null) x = adjustContrast(x, [j.contrast]);
        if (op === 2 && j.saturation !== null) x = adjustSaturation(x, [j.saturation]);
        if (op === 3 && j.hue !== null) x = adjustHue(x, [j.hue]);
      }
      return x;
    })
  );
  const expected = tf.concat(parts);
  const diff = tf.max(tf.abs(tf.sub(out, expected))).dataSync()[0];
  assert(diff < 1e-5, `max difference ${diff}`);
  tf.dispose([images, out, expected, ...parts]);
});

Deno.test("`applyViewParams()` rejects bad parameters naming them", () => {
  const images = tf.zeros([1, 16, 16, 3]) as tf.Tensor4D;
  const ok: ViewParams = {
    flip: false,
    box: [0, 0, 16, 16],
    jitter: null,
    grayscale: false,
    sigma: 1,
  };
  assert.throws(() => applyViewParams(images, [ok, ok], { size: 16 }), {
    name: "RangeError",
    message: "applyViewParams(): params has length 2: expected 1 (one per image)",
  });
  assert.throws(() => applyViewParams(images, [{ ...ok, sigma: 0 }], { size: 16 }), {
    name: "RangeError",
    message: "applyViewParams(): params[0].sigma is 0: expected a sigma > 0 or null",
  });
  const badOrder = { order: [0, 0, 1, 2], brightness: 1, contrast: 1, saturation: 1, hue: 0 };
  assert.throws(() => applyViewParams(images, [{ ...ok, jitter: badOrder }], { size: 16 }), {
    name: "RangeError",
    message:
      "applyViewParams(): params[0].jitter.order is [0, 0, 1, 2]: expected a permutation of 0, 1, 2, 3",
  });
  assert.throws(() => applyViewParams(images, [ok], { size: -1 }), {
    name: "RangeError",
    message:
      "applyViewParams(): options.size is -1: expected a positive integer or [height, width] of positive integers",
  });
  assert.throws(() => applyViewParams(images, [ok], { size: 8, blurKernelSize: 17 }), {
    name: "RangeError",
    message:
      "applyViewParams(): options.blurKernelSize is 17: expected an odd integer <= 15 to reflect-pad 8x8 images",
  });
  images.dispose();
});

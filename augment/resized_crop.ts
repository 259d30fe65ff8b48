import type * as tf from "@tensorflow/tfjs-core";
import { checkBoolean } from "@simclr/internal/checks";
import { checkImages, outputSize } from "./_checks.ts";
import { type Box, checkBoxes, cropResize } from "./_crop_resize.ts";

export type { Box };

/** Options of {@linkcode resizedCrop}. */
export interface ResizedCropOptions {
  /**
   * Antialias when shrinking: the bilinear filter widened by the scale factor, as PIL resizes
   * images and as torchvision's `resized_crop(..., antialias=True)` on tensors. Default false,
   * as torchvision 0.14's functional op on tensors.
   */
  antialias?: boolean;
}

/**
 * Crops a box out of each image and resizes it bilinearly, as torchvision's
 * `resized_crop(img, top, left, height, width, size)` on float tensors in torchvision 0.14:
 * `interpolate(mode="bilinear", align_corners=False, antialias=False)` (tensors are not
 * antialiased there by default, unlike PIL images). With `options.antialias` it is
 * `antialias=True`: the triangle filter's support widens with the scale when shrinking, as
 * PIL's bilinear resize (which the tutorial's transforms on PIL images use). Parts of a box
 * outside the image read as 0, as torchvision's `crop` pads. Runs as two batched matrix
 * products with per-image interpolation weights (rows, then the columns of the transposed
 * result), each image with its own box.
 *
 * @param images NHWC float32 images, shape `[B, H, W, 3]`.
 * @param boxes One integer box `[top, left, height, width]` per image.
 * @param size The output size: `s` for `s x s`, or `[height, width]`.
 * @param options Antialias (default false).
 * @returns The crops, shape `[B, size, size, 3]` (or `[B, height, width, 3]`).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { resizedCrop } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.randomUniform([2, 16, 16, 3]) as tf.Tensor4D;
 * const crops = resizedCrop(images, [[0, 0, 16, 16], [4, 2, 8, 10]], 8);
 * assert.deepEqual(crops.shape, [2, 8, 8, 3]);
 * // A 1x4 row [1, 0, 0, 1] shrunk to 1x1: bilinear reads the middle two pixels; the
 * // antialiased filter spans all four, weights 5, 7, 7, 5 (/ 24): 10 / 24.
 * const row = tf.tensor4d([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1], [1, 1, 4, 3]);
 * const plain = resizedCrop(row, [[0, 0, 1, 4]], 1);
 * const smooth = resizedCrop(row, [[0, 0, 1, 4]], 1, { antialias: true });
 * assert.deepEqual(Array.from(plain.dataSync()), [0, 0, 0]);
 * for (const v of smooth.dataSync()) assert(Math.abs(v - 10 / 24) < 1e-6);
 * tf.dispose([images, crops, row, plain, smooth]);
 * ```
 */
export function resizedCrop(
  images: tf.Tensor4D,
  boxes: readonly Box[],
  size: number | readonly [number, number],
  options: ResizedCropOptions = {},
): tf.Tensor4D {
  const fn = "resizedCrop()";
  checkImages(fn, images);
  const [h, w] = outputSize(fn, size, "size");
  checkBoxes(fn, boxes, images.shape[0]);
  const antialias = checkBoolean(fn, "options.antialias", options?.antialias ?? false);
  return cropResize(images, boxes, h, w, { antialias });
}

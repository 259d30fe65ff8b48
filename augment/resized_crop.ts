import type * as tf from "@tensorflow/tfjs-core";
import { checkImages, outputSize } from "./_checks.ts";
import { type Box, checkBoxes, cropResize } from "./_crop_resize.ts";

export type { Box };

/**
 * Crops a box out of each image and resizes it bilinearly, as torchvision's
 * `resized_crop(img, top, left, height, width, size)` on float tensors in torchvision 0.14:
 * `interpolate(mode="bilinear", align_corners=False, antialias=False)` (tensors are not
 * antialiased there, unlike PIL images). Parts of a box outside the image read as 0, as
 * torchvision's `crop` pads. Runs as batched row gathers (rows, then the columns of the
 * transposed result), each image with its own box.
 *
 * @param images NHWC float32 images, shape `[B, H, W, 3]`.
 * @param boxes One integer box `[top, left, height, width]` per image.
 * @param size The output size: `s` for `s x s`, or `[height, width]`.
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
 * tf.dispose([images, crops]);
 * ```
 */
export function resizedCrop(
  images: tf.Tensor4D,
  boxes: readonly Box[],
  size: number | readonly [number, number],
): tf.Tensor4D {
  const fn = "resizedCrop()";
  checkImages(fn, images);
  const [h, w] = outputSize(fn, size, "size");
  checkBoxes(fn, boxes, images.shape[0]);
  return cropResize(images, boxes, h, w);
}

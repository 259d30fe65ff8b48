import type * as tf from "@tensorflow/tfjs-core";
import { checkImages } from "./_checks.ts";
import { luma3 } from "./_color.ts";

/**
 * Converts images to grayscale and keeps 3 channels, as torchvision's
 * `rgb_to_grayscale(img, num_output_channels=3)`: every channel holds
 * `0.2989 R + 0.587 G + 0.114 B`.
 *
 * @param images NHWC float32 images, shape `[B, H, W, 3]`.
 * @returns The grayscale images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { rgbToGrayscale } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.tensor4d([0, 1, 0], [1, 1, 1, 3]); // one green pixel
 * const gray = rgbToGrayscale(images);
 * for (const v of gray.dataSync()) assert(Math.abs(v - 0.587) < 1e-6);
 * tf.dispose([images, gray]);
 * ```
 */
export function rgbToGrayscale(images: tf.Tensor4D): tf.Tensor4D {
  checkImages("rgbToGrayscale()", images);
  return luma3(images);
}

import * as tf from "@tensorflow/tfjs-core";
import { checkImages, perSample } from "./_checks.ts";
import { blend, luma3, perImage } from "./_color.ts";

/**
 * Changes the saturation of each image by its own factor, as torchvision's
 * `adjust_saturation` on float tensors: blends each pixel with its grayscale value,
 * `clamp(factor * image + (1 - factor) * gray, 0, 1)`. Factor 0 gives the grayscale image,
 * 1 the image unchanged.
 *
 * @param images NHWC float32 images in [0, 1], shape `[B, H, W, 3]`.
 * @param factors One non-negative factor per image (`number[]` or `tf.Tensor1D` of length B).
 * @returns The adjusted images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { adjustSaturation } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.tensor4d([1, 0, 0], [1, 1, 1, 3]); // one red pixel
 * const out = adjustSaturation(images, [0]);
 * for (const v of out.dataSync()) assert(Math.abs(v - 0.2989) < 1e-6);
 * tf.dispose([images, out]);
 * ```
 */
export function adjustSaturation(
  images: tf.Tensor4D,
  factors: readonly number[] | tf.Tensor1D,
): tf.Tensor4D {
  checkImages("adjustSaturation()", images);
  return tf.tidy(() => {
    const f = perSample(
      "adjustSaturation()",
      "factors",
      factors,
      images.shape[0],
      (v) => v >= 0,
      "a factor >= 0",
    );
    return blend(images, luma3(images), perImage(f, images.shape));
  });
}

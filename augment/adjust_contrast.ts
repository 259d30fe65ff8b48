import * as tf from "@tensorflow/tfjs-core";
import { checkImages, perSample } from "./_checks.ts";
import { blend, meanLuma, perImage } from "./_color.ts";

/**
 * Changes the contrast of each image by its own factor, as torchvision's `adjust_contrast` on
 * float tensors: blends the image with the mean of its grayscale version,
 * `clamp(factor * image + (1 - factor) * mean, 0, 1)`. Factor 0 gives a uniform grey image,
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
 * import { adjustContrast } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * // One image: a black and a white pixel; its mean luma is (0.2989 + 0.587 + 0.114) / 2.
 * const images = tf.tensor4d([0, 0, 0, 1, 1, 1], [1, 1, 2, 3]);
 * const out = adjustContrast(images, [0]);
 * for (const v of out.dataSync()) assert(Math.abs(v - 0.49995) < 1e-6);
 * tf.dispose([images, out]);
 * ```
 */
export function adjustContrast(
  images: tf.Tensor4D,
  factors: readonly number[] | tf.Tensor1D,
): tf.Tensor4D {
  checkImages("adjustContrast()", images);
  return tf.tidy(() => {
    const f = perSample(
      "adjustContrast()",
      "factors",
      factors,
      images.shape[0],
      (v) => v >= 0,
      "a factor >= 0",
    );
    return blend(images, perImage(meanLuma(images), images.shape), perImage(f, images.shape));
  });
}

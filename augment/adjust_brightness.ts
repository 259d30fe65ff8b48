import * as tf from "@tensorflow/tfjs-core";
import { checkImages, perSample } from "./_checks.ts";
import { perImage } from "./_color.ts";

/**
 * Scales the brightness of each image by its own factor, as torchvision's
 * `adjust_brightness` on float tensors: `clamp(factor * image, 0, 1)`. Factor 0 gives black,
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
 * import { adjustBrightness } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.fill([2, 4, 4, 3], 0.5) as tf.Tensor4D;
 * const out = adjustBrightness(images, [0, 1.5]);
 * assert.deepEqual(Array.from(out.dataSync().slice(0, 1)), [0]);
 * assert.deepEqual(Array.from(out.dataSync().slice(-1)), [0.75]);
 * tf.dispose([images, out]);
 * ```
 */
export function adjustBrightness(
  images: tf.Tensor4D,
  factors: readonly number[] | tf.Tensor1D,
): tf.Tensor4D {
  checkImages("adjustBrightness()", images);
  return tf.tidy(() => {
    const f = perSample(
      "adjustBrightness()",
      "factors",
      factors,
      images.shape[0],
      (v) => v >= 0,
      "a factor >= 0",
    );
    // _blend(img, zeros, f) = f * img + 0
    return tf.clipByValue(tf.mul(perImage(f, images.shape), images), 0, 1);
  });
}

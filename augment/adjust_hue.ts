import * as tf from "@tensorflow/tfjs-core";
import { checkImages, perSample } from "./_checks.ts";
import { rotateHue } from "./_color.ts";

/**
 * Rotates the hue of each image by its own shift, as torchvision's `adjust_hue` on float
 * tensors: converts to HSV, adds the shift to H modulo 1 and converts back. A shift of 0.5 or
 * -0.5 gives the complementary colours; 0 leaves the image unchanged (up to rounding).
 *
 * @param images NHWC float32 images in [0, 1], shape `[B, H, W, 3]`.
 * @param shifts One hue shift per image in [-0.5, 0.5], in turns of the colour wheel
 *   (`number[]` or `tf.Tensor1D` of length B).
 * @returns The adjusted images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { adjustHue } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const red = tf.tensor4d([1, 0, 0], [1, 1, 1, 3]);
 * const out = adjustHue(red, [1 / 3]); // red -> green
 * assert.deepEqual(Array.from(out.dataSync()).map(Math.round), [0, 1, 0]);
 * tf.dispose([red, out]);
 * ```
 */
export function adjustHue(
  images: tf.Tensor4D,
  shifts: readonly number[] | tf.Tensor1D,
): tf.Tensor4D {
  checkImages("adjustHue()", images);
  return tf.tidy(() => {
    const s = perSample(
      "adjustHue()",
      "shifts",
      shifts,
      images.shape[0],
      (v) => v >= -0.5 && v <= 0.5,
      "a hue shift in [-0.5, 0.5]",
    );
    return rotateHue(images, s);
  });
}

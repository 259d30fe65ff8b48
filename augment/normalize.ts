import type * as tf from "@tensorflow/tfjs-core";
import { checkImages, checkMeanStd } from "./_checks.ts";
import { normalizeChannels } from "./_color.ts";

/**
 * Normalizes each channel, `(image - mean) / std`, as torchvision's `normalize`. The tutorial
 * uses `Normalize((0.5,), (0.5,))`, mapping [0, 1] to [-1, 1].
 *
 * @param images NHWC float32 images, shape `[B, H, W, 3]`.
 * @param mean Per-channel means: 1 value (all channels) or 3.
 * @param std Per-channel standard deviations (non-zero): 1 value or 3.
 * @returns The normalized images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { normalize } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.tensor4d([0, 0.5, 1], [1, 1, 1, 3]);
 * const out = normalize(images, [0.5], [0.5]);
 * assert.deepEqual(Array.from(out.dataSync()), [-1, 0, 1]);
 * tf.dispose([images, out]);
 * ```
 */
export function normalize(
  images: tf.Tensor4D,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor4D {
  checkImages("normalize()", images);
  checkMeanStd("normalize()", mean, std);
  return normalizeChannels(images, mean, std);
}

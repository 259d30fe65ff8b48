import * as tf from "@tensorflow/tfjs-core";
import { checkImages, checkKernelSize, perSample } from "./_checks.ts";
import { gaussianKernels, separableBlur } from "./_blur.ts";

/**
 * Blurs each image with a Gaussian of its own standard deviation, as torchvision's
 * `gaussian_blur(img, [k, k], [sigma, sigma])` on float tensors: the kernel is
 * `exp(-x^2 / (2 sigma^2))` sampled at the `k` integer offsets around the centre and
 * normalised, and the image is reflect-padded (`torch.nn.functional.pad(mode="reflect")`) by
 * `(k - 1) / 2` on each side. Runs as two depthwise convolutions over the whole batch.
 *
 * @param images NHWC float32 images, shape `[B, H, W, 3]`, with H and W > (k - 1) / 2.
 * @param kernelSize The odd kernel size `k` (the tutorial uses 9).
 * @param sigmas One positive standard deviation per image, in pixels (`number[]` or
 *   `tf.Tensor1D` of length B).
 * @returns The blurred images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { gaussianBlur } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.randomUniform([2, 8, 8, 3]) as tf.Tensor4D;
 * const out = gaussianBlur(images, 3, [0.5, 2.0]);
 * assert.deepEqual(out.shape, [2, 8, 8, 3]);
 * // Blurring keeps the mean of a constant image.
 * const flat = tf.fill([1, 8, 8, 3], 0.25) as tf.Tensor4D;
 * const still = gaussianBlur(flat, 9, [2.0]);
 * for (const v of still.dataSync()) assert(Math.abs(v - 0.25) < 1e-6);
 * tf.dispose([images, out, flat, still]);
 * ```
 */
export function gaussianBlur(
  images: tf.Tensor4D,
  kernelSize: number,
  sigmas: readonly number[] | tf.Tensor1D,
): tf.Tensor4D {
  const fn = "gaussianBlur()";
  checkImages(fn, images);
  checkKernelSize(fn, "kernelSize", kernelSize, images.shape[1], images.shape[2]);
  return tf.tidy(() => {
    const s = perSample(fn, "sigmas", sigmas, images.shape[0], (v) => v > 0, "a sigma > 0");
    return separableBlur(images, gaussianKernels(tf.reshape(s, [-1]), kernelSize));
  });
}

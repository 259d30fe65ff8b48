import * as tf from "@tensorflow/tfjs-core";
import { checkImageInput } from "./_checks.ts";

/**
 * Raw 8-bit pixels of several images, HWC row-major one image after another, as the STL10
 * reader (`openSTL10(...).read(indices)`) returns them.
 */
export interface PixelBatch {
  /** `count * height * width * 3` bytes, RGB. */
  pixels: Uint8Array;
  /** Image height (default 96, STL10's). */
  height?: number;
  /** Image width (default 96). */
  width?: number;
  /** Number of images; checked against `pixels.length` when given. */
  count?: number;
}

/**
 * Images accepted by the view functions: a float32 NHWC tensor in [0, 1], an int32 NHWC
 * tensor of 0..255 values, or a {@linkcode PixelBatch} of bytes.
 */
export type ImageInput = tf.Tensor4D | PixelBatch;

/**
 * Converts images to float32 NHWC in [0, 1], as torchvision's `ToTensor` (bytes / 255).
 *
 * @param input Float32 `[N, H, W, 3]` in [0, 1] (returned as a clone), int32 `[N, H, W, 3]`
 *   with values 0..255, or a {@linkcode PixelBatch}.
 * @returns A new float32 tensor `[N, H, W, 3]` (the caller disposes it).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { toFloatImages } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = toFloatImages({ pixels: new Uint8Array([0, 51, 255, 255, 0, 0]), height: 1, width: 2 });
 * assert.deepEqual(images.shape, [1, 1, 2, 3]);
 * assert.deepEqual(Array.from(images.dataSync()), [0, Math.fround(0.2), 1, 1, 0, 0]);
 * images.dispose();
 * ```
 */
export function toFloatImages(input: ImageInput): tf.Tensor4D {
  checkImageInput("toFloatImages()", input, "input");
  if (input instanceof tf.Tensor) {
    if (input.dtype === "int32") return tf.tidy(() => tf.div(tf.cast(input, "float32"), 255));
    return tf.clone(input);
  }
  const { pixels, height = 96, width = 96 } = input;
  const count = pixels.length / (height * width * 3);
  return tf.tidy(() =>
    tf.div(
      tf.cast(tf.tensor4d(Int32Array.from(pixels), [count, height, width, 3], "int32"), "float32"),
      255,
    )
  );
}

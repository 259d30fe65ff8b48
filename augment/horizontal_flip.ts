import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { checkImages } from "./_checks.ts";

/**
 * Mirrors the images whose flag is set left to right (torchvision's `hflip`), others pass
 * through unchanged.
 *
 * @param images NHWC images, shape `[B, H, W, 3]`.
 * @param flags One boolean per image: `true` flips it.
 * @returns The images, shape `[B, H, W, 3]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { horizontalFlip } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * // Two 1x2 images: [red, blue] and [green, black].
 * const images = tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0], [2, 1, 2, 3]);
 * const out = horizontalFlip(images, [true, false]);
 * assert.deepEqual(Array.from(out.dataSync()), [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
 * tf.dispose([images, out]);
 * ```
 */
export function horizontalFlip(images: tf.Tensor4D, flags: readonly boolean[]): tf.Tensor4D {
  const fn = "horizontalFlip()";
  checkImages(fn, images);
  const batch = images.shape[0];
  if (!Array.isArray(flags) || flags.length !== batch) {
    throw new RangeError(
      argumentMessage(
        fn,
        `flags has length ${(flags as unknown[])?.length}`,
        `boolean[] of length ${batch}`,
      ),
    );
  }
  flags.forEach((f, i) => {
    if (typeof f !== "boolean") {
      throw new TypeError(argumentMessage(fn, `flags[${i}] is ${show(f)}`, "a boolean"));
    }
  });
  // Columns as rows of the transposed batch [B, W, H, C] -> [B*W, H*C], gathered with image
  // b's column w from column W - 1 - w when flags[b]: a pure copy, one gather for the batch
  // (fast on every backend, unlike a per-image choice between tf.reverse and the input).
  const [, height, width, channels] = images.shape;
  const source = new Int32Array(batch * width);
  for (let b = 0; b < batch; b++) {
    for (let w = 0; w < width; w++) {
      source[b * width + w] = b * width + (flags[b] ? width - 1 - w : w);
    }
  }
  return tf.tidy(() => {
    const columns = tf.reshape(tf.transpose(images, [0, 2, 1, 3]), [
      batch * width,
      height * channels,
    ]);
    const gathered = tf.gather(columns, tf.tensor1d(source, "int32"));
    return tf.transpose(tf.reshape(gathered, [batch, width, height, channels]), [0, 2, 1, 3]);
  });
}

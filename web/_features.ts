// Copyright 2026 the simclr authors. MIT license.
// Features of images held in memory, as `extractFeatures` makes them from a data set (which
// reads files and caches them; the page has neither): bytes / 255, resized to the encoder's
// side, Normalize((0.5,), (0.5,)), eval mode.
import * as tf from "@tensorflow/tfjs";
import { type Box, cropResize } from "@simclr/internal/crop-resize";
import { TUTORIAL_MEAN, TUTORIAL_STD } from "@simclr/internal/normalization";

/** An encoder of NHWC images to features. */
export interface FeatureEncoder {
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D;
}

/**
 * Encodes `count` images (HWC bytes, `sourceSize` square) at `imageSize`, `batchSize` at a
 * time; returns the `[count, dim]` features (the caller disposes them).
 */
export async function encodeImages(
  encoder: FeatureEncoder,
  pixels: Uint8Array,
  options: { sourceSize: number; imageSize: number; batchSize?: number },
): Promise<tf.Tensor2D> {
  const { sourceSize, imageSize, batchSize = 64 } = options;
  const bytes = sourceSize * sourceSize * 3;
  const count = pixels.length / bytes;
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const n = Math.min(batchSize, count - start);
    const part = tf.tidy(() => {
      const raw = tf.tensor4d(
        pixels.subarray(start * bytes, (start + n) * bytes),
        [n, sourceSize, sourceSize, 3],
        "int32",
      );
      let x: tf.Tensor4D = tf.div(tf.cast(raw, "float32"), 255);
      if (imageSize !== sourceSize) {
        const whole: Box = [0, 0, sourceSize, sourceSize];
        x = cropResize(x, Array.from({ length: n }, () => whole), imageSize, imageSize, {
          antialias: true,
        });
      }
      return encoder.apply(tf.div(tf.sub(x, TUTORIAL_MEAN[0]), TUTORIAL_STD[0]), {
        training: false,
      });
    });
    await part.data(); // one batch at a time: bounds memory on every backend
    parts.push(part);
  }
  const features = tf.concat(parts) as tf.Tensor2D;
  tf.dispose(parts);
  return features;
}

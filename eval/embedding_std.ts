// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { l2Normalize } from "./_l2_normalize.ts";

/**
 * The collapse monitor of SimSiam (Chen & He, 2021) as lightly's `std_of_l2_normalized`
 * computes it: each row of `z` is L2-normalised, the standard deviation of every dimension is
 * taken over the rows (unbiased, as `torch.std`), and the mean over dimensions is returned.
 * 0 means the embeddings collapsed to one vector; unit vectors spread like a zero-mean
 * isotropic Gaussian give about `1 / sqrt(d)`.
 *
 * @param z Embeddings (e.g. the projections of a batch), shape `[n, d]` with `n >= 2`.
 * @returns A new scalar: the mean over dimensions of the standard deviation over rows.
 *
 * @example Two embeddings, and a collapsed set
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { embeddingStd } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * // Rows normalise to [0.6, 0.8] and [0.8, 0.6]: each dimension has std 0.1 * sqrt(2).
 * const z = tf.tensor2d([[3, 4], [8, 6]]);
 * const std = embeddingStd(z);
 * assert.ok(Math.abs(std.dataSync()[0] - 0.1 * Math.SQRT2) < 1e-6);
 * const collapsed = tf.tensor2d([[1, 2], [2, 4], [3, 6]]); // one direction
 * const zero = embeddingStd(collapsed);
 * assert.ok(Math.abs(zero.dataSync()[0]) < 1e-6);
 * tf.dispose([z, std, collapsed, zero]);
 * ```
 */
export function embeddingStd(z: tf.Tensor2D): tf.Scalar {
  const fn = "embeddingStd()";
  if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[0] < 2) {
    throw new RangeError(
      argumentMessage(fn, `z has shape ${show(z?.shape)}`, "[n, d] with n >= 2 rows"),
    );
  }
  return tf.tidy(() => {
    const unit = l2Normalize(z); // [n, d]
    // Shifted by the first row (the variance does not change): equal rows give exactly 0.
    const shifted = tf.sub(unit, tf.slice(unit, [0, 0], [1, -1])); // [n, d]
    const { variance } = tf.moments(shifted, 0); // [d], divided by n
    const unbiased = tf.mul(variance, z.shape[0] / (z.shape[0] - 1)); // torch.std's n - 1
    return tf.mean(tf.sqrt(unbiased)) as tf.Scalar;
  });
}

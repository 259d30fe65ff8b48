// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { checkFeatures, stopGradient, unitRows } from "./_unit_rows.ts";

/**
 * The symmetrised regression loss of BYOL (Grill et al., 2020), as the official code computes
 * it. `predictions` are the online network's predictions and `targets` the target network's
 * projections of two views of `N` images, both view-major `[2N, D]` (rows `0 .. N-1` view 1,
 * rows `N .. 2N-1` view 2). Each prediction is paired with the target of the other view of the
 * same image (row `i` with row `(i + N) mod 2N`), and
 *
 * `loss = mean over images of (2 - 2 cos(p1, z2)) + mean over images of (2 - 2 cos(p2, z1))`,
 *
 * so it lies in `[0, 8]`: 0 when every prediction points along its target, 4 when all are
 * orthogonal. No gradient flows into `targets` (the official `stop_gradient`): only the
 * online network learns from it. Rows are L2-normalised for any magnitude, and each term is
 * computed as the official `|p / |p| - z / |z| |^2`: a zero row stays zero (its term is 1 against
 * a non-zero row, 0 against another zero row).
 *
 * @param predictions The online predictions, `[2N, D]` float32.
 * @param targets The target projections, the same shape.
 * @returns The loss, a scalar the caller disposes; differentiable in `predictions` only.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { byolLoss } from "@simclr/losses";
 * import assert from "node:assert/strict";
 *
 * // One image: view 1 predicts view 2's target exactly, view 2's prediction is orthogonal.
 * const predictions = tf.tensor2d([[0, 3], [5, 0]]);
 * const targets = tf.tensor2d([[0, 1], [0, 2]]);
 * const loss = byolLoss(predictions, targets);
 * assert.ok(Math.abs((await loss.data())[0] - (0 + 2)) < 1e-6); // (2 - 2) + (2 - 0)
 * tf.dispose([predictions, targets, loss]);
 * ```
 */
export function byolLoss(predictions: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  const fn = "byolLoss()";
  checkFeatures(fn, "predictions", predictions, "[2N, D]");
  checkFeatures(fn, "targets", targets, "[2N, D]");
  const [rows, dim] = predictions.shape;
  if (targets.shape[0] !== rows || targets.shape[1] !== dim) {
    throw new RangeError(
      argumentMessage(
        fn,
        `targets has shape ${show(targets.shape)}`,
        `the shape of predictions, ${show(predictions.shape)}`,
      ),
    );
  }
  if (rows === 0 || rows % 2 !== 0) {
    throw new RangeError(
      argumentMessage(fn, `predictions has ${rows} rows`, "a positive even number (2 views of N)"),
    );
  }
  return tf.tidy(() => {
    const p = unitRows(predictions);
    const z = unitRows(stopGradient(targets));
    // The other view's target for every row: the two halves swapped.
    const [z1, z2] = tf.split(z, 2);
    // |p - z|^2 of unit rows, the official regression loss: 2 - 2 cos(p, z).
    const distances = tf.sum(tf.square(tf.sub(p, tf.concat([z2, z1]))), 1); // [2N]
    // The mean of each half, summed: twice the mean over all rows.
    return tf.mul(2, tf.mean(distances)) as tf.Scalar;
  });
}

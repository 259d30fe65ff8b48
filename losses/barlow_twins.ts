// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkNumber } from "@simclr/internal/checks";
import { checkFeatures } from "./_unit_rows.ts";

/** Options of {@linkcode barlowTwins}. */
export interface BarlowTwinsOptions {
  /** Weight of the off-diagonal (redundancy reduction) term. Default `0.0051` (the paper's). */
  lambda?: number;
}

/** What {@linkcode barlowTwins} returns. */
export interface BarlowTwinsResult {
  /** `onDiagonal + lambda * offDiagonal`; differentiable. */
  loss: tf.Scalar;
  /** The invariance term: `sum over i of (1 - c_ii)^2`. */
  onDiagonal: tf.Scalar;
  /** The redundancy term, unweighted: `sum over i != j of c_ij^2`. */
  offDiagonal: tf.Scalar;
}

/** The batch-normalisation epsilon of the official code's `BatchNorm1d(affine=False)`. */
const EPS = 1e-5;

/**
 * The Barlow Twins loss of Zbontar et al. (2021), as the official code computes it. `features`
 * holds the projections of two views of `N` images, view-major: rows `0 .. N-1` are view 1
 * (`z1`), rows `N .. 2N-1` view 2 (`z2`). Each view is standardised over the batch (mean 0,
 * biased variance 1 with epsilon `1e-5`, no affine: the official `BatchNorm1d(affine=False)`
 * in training mode), the cross-correlation matrix is `c = z1^T z2 / N` (`[D, D]`), and
 *
 * `loss = sum over i of (1 - c_ii)^2 + lambda * sum over i != j of c_ij^2`.
 *
 * It is 0 only when the two views' standardised features are equal and decorrelated. Each
 * feature column is first divided by its largest magnitude (when above 1) with the epsilon
 * scaled to match, so huge values give the same loss instead of overflowing; a constant
 * column standardises to zero, as in PyTorch. Memory: one `[D, D]` matrix.
 *
 * @param features The projections, shape `[2N, D]` with `N >= 2`, float32.
 * @param options The off-diagonal weight `lambda` (default `0.0051`).
 * @returns The differentiable `loss` and its two terms (scalars the caller disposes).
 *
 * @example Identical, decorrelated views give a loss of (nearly) zero
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { barlowTwins } from "@simclr/losses";
 * import assert from "node:assert/strict";
 *
 * // Two features that are uncorrelated over four images, each view a copy of the other.
 * const view = [[1, 1], [1, -1], [-1, 1], [-1, -1]];
 * const features = tf.tensor2d([...view, ...view]);
 * const { loss, onDiagonal, offDiagonal } = barlowTwins(features);
 * // c = diag(1 / (1 + 1e-5)): each diagonal term is (1 - c_ii)^2, about 1e-10.
 * assert.ok((await onDiagonal.data())[0] < 1e-9);
 * assert.equal((await offDiagonal.data())[0], 0);
 * assert.ok((await loss.data())[0] < 1e-9);
 * tf.dispose([features, loss, onDiagonal, offDiagonal]);
 * ```
 */
export function barlowTwins(
  features: tf.Tensor2D,
  options: BarlowTwinsOptions = {},
): BarlowTwinsResult {
  const { lambda = 0.0051 } = options;
  const fn = "barlowTwins()";
  checkFeatures(fn, "features", features, "[2N, D]");
  checkNumber(fn, "options.lambda", lambda, { min: 0 });
  const rows = features.shape[0];
  if (rows % 2 !== 0 || rows < 4) {
    throw new RangeError(
      argumentMessage(
        fn,
        `features has ${rows} rows`,
        "an even number, at least 4 (two views of N >= 2 images: a batch of 1 has no variance)",
      ),
    );
  }
  const n = rows / 2;

  return tf.tidy(() => {
    const [z1, z2] = tf.split(features, 2) as [tf.Tensor2D, tf.Tensor2D]; // [N, D] each
    // An explicit transpose: tfjs-wasm's matMul with transposeA is many times slower.
    const c = tf.div(tf.matMul(tf.transpose(standardise(z1)), standardise(z2)), n); // [D, D]
    const identity = tf.eye(c.shape[0]);
    const diagonal = tf.sum(tf.mul(c, identity), 1); // [D]
    const onDiagonal = tf.sum(tf.square(tf.sub(1, diagonal))) as tf.Scalar;
    // Masked rather than sum(c^2) - sum(diag^2), which cancels catastrophically.
    const offDiagonal = tf.sum(tf.mul(tf.square(c), tf.sub(1, identity))) as tf.Scalar;
    return {
      loss: tf.add(onDiagonal, tf.mul(lambda, offDiagonal)) as tf.Scalar,
      onDiagonal,
      offDiagonal,
    };
  });
}

/**
 * `(z - mean) / sqrt(biased var + EPS)` per column, computed on the column divided by
 * `s = max(1, max |z|)` with `EPS / s^2`: the same value, without squares that overflow.
 */
function standardise(z: tf.Tensor2D): tf.Tensor2D {
  const scale = tf.maximum(tf.max(tf.abs(z), 0, true), 1); // [1, D]
  const scaled = tf.div(z, scale); // entries in [-1, 1]
  const centred = tf.sub(scaled, tf.mean(scaled, 0, true));
  const variance = tf.mean(tf.square(centred), 0, true); // [1, D], biased
  return tf.mul(centred, tf.rsqrt(tf.add(variance, tf.div(EPS, tf.square(scale)))));
}

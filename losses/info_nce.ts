import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, checkNumber } from "@simclr/internal/checks";
import { checkFeatures, unitRows } from "./_unit_rows.ts";

/** Options of {@linkcode infoNCE}. */
export interface InfoNCEOptions {
  /** Softmax temperature `T` dividing the cosine similarities. Default `0.07` (the tutorial's). */
  temperature?: number;
  /** Views per image; the rows hold `nViews` blocks of `N` rows each. Default `2`. */
  nViews?: number;
}

/** What {@linkcode infoNCE} returns: the loss and the tutorial's three ranking metrics. */
export interface InfoNCEResult {
  /** Mean InfoNCE (NT-Xent) loss over every (row, positive) pair; differentiable. */
  loss: tf.Scalar;
  /** Fraction of (row, positive) pairs whose positive ranks first. */
  top1: tf.Scalar;
  /** Fraction of (row, positive) pairs whose positive ranks among the first five. */
  top5: tf.Scalar;
  /** 1 + the mean rank of the positive (1 is perfect). */
  meanPos: tf.Scalar;
}

/**
 * The InfoNCE (NT-Xent) loss of SimCLR with the tutorial's ranking metrics.
 *
 * `features` holds `nViews` views of `N` images stacked view-major, as the tutorial's
 * `torch.cat(imgs, dim=0)`: row `v * N + b` is view `v` of image `b`. With `s(i, k)` the cosine
 * similarity of rows `i` and `k` divided by `temperature`, every row `i` and every other view
 * `p` of the same image (a positive) contribute
 *
 * `-s(i, p) + log(sum over k != i of exp(s(i, k)))`
 *
 * and the loss is the mean over all `nViews * N * (nViews - 1)` such pairs. The rank of a
 * positive is the number of negatives (rows that are neither `i` nor a view of the same image)
 * more similar to `i` than the positive; `top1`, `top5` and `meanPos` are the fractions of
 * ranks below 1 and 5 and `1 +` the mean rank. For `nViews = 2` this is exactly the tutorial's
 * `info_nce_loss` (ties between a positive and a negative count in the positive's favour).
 *
 * It costs one `[2N, D] x [D, 2N]` matmul of L2-normalised rows: memory O(N^2 + N*D), not the
 * tutorial's `[2N, 2N, D]` broadcast. Masked entries are excluded with `-Infinity` rather than
 * a large finite value, so no temperature or feature scale can overflow the log-sum-exp.
 *
 * @param features The embeddings, shape `[nViews * N, D]`, float32.
 * @param options Temperature (default `0.07`) and number of views (default `2`).
 * @returns The differentiable `loss` and the metrics `top1`, `top5`, `meanPos` (scalars the
 *   caller disposes).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { infoNCE } from "@simclr/losses";
 * import assert from "node:assert/strict";
 *
 * // Two views of two images; view 1 of each image is a copy of its view 0.
 * const features = tf.tensor2d([[1, 0], [0, 1], [1, 0], [0, 1]]);
 * const { loss, top1, top5, meanPos } = infoNCE(features, { temperature: 0.5 });
 * // Each row: its positive has similarity 1, its two negatives 0: -1/T + log(e^(1/T) + 2).
 * assert(Math.abs(loss.dataSync()[0] - Math.log(1 + 2 * Math.exp(-2))) < 1e-6);
 * assert.equal(top1.dataSync()[0], 1);
 * assert.equal(meanPos.dataSync()[0], 1);
 * tf.dispose([features, loss, top1, top5, meanPos]);
 * ```
 */
export function infoNCE(features: tf.Tensor2D, options: InfoNCEOptions = {}): InfoNCEResult {
  const { temperature = 0.07, nViews = 2 } = options;
  checkArguments(features, temperature, nViews);
  const rows = features.shape[0];
  const imagesPerView = rows / nViews;

  return tf.tidy(() => {
    // Rows scaled to unit length; a zero row stays zero, as in torch's eps-clamped cosine.
    const unit = unitRows(features); // [rows, D]
    const similarity = tf.div(tf.matMul(unit, unit, false, true), temperature); // [rows, rows]

    const selfMask = tf.cast(tf.eye(rows), "bool");
    const minusInf = tf.fill([rows, rows], -Infinity);
    const logits = tf.where(selfMask, minusInf, similarity);
    const logSumExp = tf.logSumExp(logits, 1); // [rows]

    // Positive j of row i is the view (j + 1) views further on: column i + (j + 1) * N mod rows.
    const shifts = Array.from({ length: nViews - 1 }, (_, j) => (j + 1) * imagesPerView);
    const positives = tf.stack(
      shifts.map((shift) => tf.sum(tf.mul(similarity, shiftedIdentity(rows, [shift])), 1)),
      1,
    ); // [rows, nViews - 1]
    const loss = tf.sub(tf.mean(logSumExp), tf.mean(positives)) as tf.Scalar;

    // Negatives only: self and every positive masked out.
    const notNegative = tf.cast(shiftedIdentity(rows, [0, ...shifts]), "bool");
    const negatives = tf.where(notNegative, minusInf, similarity);
    // rank[i, j] = #negatives of row i more similar than its positive j.
    // step(a - b) is (a > b) exactly (a difference of floats is 0 only when they are equal) and
    // a tenth of broadcast `greater`'s time on wasm.
    const beaten = tf.step(tf.sub(tf.expandDims(negatives, 1), tf.expandDims(positives, 2))); // [rows, nViews - 1, rows]
    const rank = tf.sum(beaten, 2); // [rows, nViews - 1]

    return {
      loss,
      top1: tf.mean(tf.cast(tf.less(rank, 1), "float32")) as tf.Scalar,
      top5: tf.mean(tf.cast(tf.less(rank, 5), "float32")) as tf.Scalar,
      meanPos: tf.add(1, tf.mean(rank)) as tf.Scalar,
    };
  });
}

/**
 * Ones at column `(row - shift) mod size` of each row for every shift, zeros elsewhere (the sum
 * of torch's `eye(n).roll(shift, 0)`). Written in JS: tfjs's `oneHot` and broadcast `equal` cost
 * milliseconds at [128, 128] on wasm, a tenth of a small network's step.
 */
function shiftedIdentity(size: number, shifts: readonly number[]): tf.Tensor2D {
  const values = new Float32Array(size * size);
  for (const shift of shifts) {
    for (let row = 0; row < size; row++) values[row * size + (row - shift + size) % size] = 1;
  }
  return tf.tensor2d(values, [size, size]);
}

function checkArguments(features: tf.Tensor, temperature: number, nViews: number): void {
  const fn = "infoNCE()";
  checkFeatures(fn, "features", features, "[nViews * N, D]");
  checkInteger(fn, "options.nViews", nViews, { min: 2 });
  checkNumber(fn, "options.temperature", temperature, { min: 0, exclusiveMin: true });
  const rows = features.shape[0];
  if (rows % nViews !== 0) {
    throw new RangeError(
      argumentMessage(
        fn,
        `features has ${rows} rows`,
        `a multiple of options.nViews = ${nViews}`,
      ),
    );
  }
  if (rows / nViews < 2) {
    throw new RangeError(
      argumentMessage(
        fn,
        `features has ${rows} rows`,
        `at least ${
          2 * nViews
        } (2 per view for options.nViews = ${nViews}: an image and a negative)`,
      ),
    );
  }
}

// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, checkNumber, show } from "@simclr/internal/checks";
import { checkFeatures, unitRows } from "./_unit_rows.ts";

/** Options of {@linkcode supCon}. */
export interface SupConOptions {
  /**
   * The class of each image, int32 `[N]`: every other row whose image has the same label is a
   * positive. Without labels the only positives are the other views of the same image, and the
   * loss is SimCLR's ({@linkcode infoNCE}'s).
   */
  labels?: tf.Tensor1D;
  /** Views per image; the rows hold `nViews` blocks of `N` rows each. Default `2`. */
  nViews?: number;
  /** Softmax temperature dividing the cosine similarities. Default `0.07` (the official code's). */
  temperature?: number;
  /** The loss is scaled by `temperature / baseTemperature`. Default: `temperature` (no scaling). */
  baseTemperature?: number;
}

/** What {@linkcode supCon} returns. */
export interface SupConResult {
  /** Mean supervised contrastive loss over every anchor row; differentiable. */
  loss: tf.Scalar;
}

/**
 * The supervised contrastive loss of Khosla et al. (2020), the official `SupConLoss` in
 * contrast mode `"all"`: every row is an anchor, and its positives are all other rows whose
 * image has the same label (with them, the other views of its own image).
 *
 * `features` holds `nViews` views of `N` images stacked view-major, as for {@linkcode infoNCE}
 * (row `v * N + b` is view `v` of image `b`), and is L2-normalised here. With `s(i, k)` the
 * cosine similarity of rows `i` and `k` divided by `temperature` and `P(i)` the positives of
 * anchor `i`, the loss is
 *
 * `(temperature / baseTemperature) * mean over i of [ log(sum over k != i of exp(s(i, k)))
 * - mean over p in P(i) of s(i, p) ]`.
 *
 * Without `labels` (each image its own class) it is exactly {@linkcode infoNCE}'s loss. It
 * costs one `[R, D] x [D, R]` matmul for `R = nViews * N` rows; masked entries are excluded
 * with `-Infinity`, so no temperature or feature scale can overflow the log-sum-exp (the
 * official code subtracts each row's maximum instead: the same values).
 *
 * @param features The embeddings, shape `[nViews * N, D]`, float32.
 * @param options Labels (int32 `[N]`), views per image (default `2`), temperature (default
 *   `0.07`) and base temperature (default: the temperature).
 * @returns The differentiable `loss` (a scalar the caller disposes).
 *
 * @example Two classes, two views, every positive identical and every negative orthogonal
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { supCon } from "@simclr/losses";
 * import assert from "node:assert/strict";
 *
 * // Images 0 and 1 are class 0 (direction [1, 0]), image 2 is class 1 (direction [0, 1]).
 * const view = [[1, 0], [1, 0], [0, 1]];
 * const features = tf.tensor2d([...view, ...view]);
 * const labels = tf.tensor1d([0, 0, 1], "int32");
 * const { loss } = supCon(features, { labels, temperature: 0.5 });
 * // Class-0 anchors: 3 positives at e^2, 2 negatives at e^0 in the denominator;
 * // class-1 anchors: 1 positive at e^2, 4 negatives at e^0.
 * const expected = (4 * Math.log(3 + 2 * Math.exp(-2)) + 2 * Math.log(1 + 4 * Math.exp(-2))) / 6;
 * assert.ok(Math.abs((await loss.data())[0] - expected) < 1e-6);
 * tf.dispose([features, labels, loss]);
 * ```
 */
export function supCon(features: tf.Tensor2D, options: SupConOptions = {}): SupConResult {
  const { labels, nViews = 2, temperature = 0.07 } = options;
  const baseTemperature = options.baseTemperature ?? temperature;
  checkArguments(features, labels, nViews, temperature, baseTemperature);
  const rows = features.shape[0];
  const images = rows / nViews;

  return tf.tidy(() => {
    const unit = unitRows(features); // [rows, D]
    const similarity = tf.div(tf.matMul(unit, unit, false, true), temperature); // [rows, rows]
    const selfMask = tf.cast(tf.eye(rows), "bool");
    const logits = tf.where(selfMask, tf.fill([rows, rows], -Infinity), similarity);
    const logSumExp = tf.logSumExp(logits, 1); // [rows]

    // Each row's class: the label of its image, or the image itself without labels.
    const classes = tf.tile(labels ?? tf.range(0, images, 1, "int32"), [nViews]); // [rows]
    const sameClass = tf.equal(tf.expandDims(classes, 1), tf.expandDims(classes, 0));
    const positives = tf.cast(tf.logicalAnd(sameClass, tf.logicalNot(selfMask)), "float32");
    const meanPositive = tf.div(tf.sum(tf.mul(similarity, positives), 1), tf.sum(positives, 1));
    const scale = temperature / baseTemperature;
    return { loss: tf.mul(scale, tf.mean(tf.sub(logSumExp, meanPositive))) as tf.Scalar };
  });
}

function checkArguments(
  features: tf.Tensor2D,
  labels: tf.Tensor1D | undefined,
  nViews: number,
  temperature: number,
  baseTemperature: number,
): void {
  const fn = "supCon()";
  checkFeatures(fn, "features", features, "[nViews * N, D]");
  checkInteger(fn, "options.nViews", nViews, { min: 2 });
  checkNumber(fn, "options.temperature", temperature, { min: 0, exclusiveMin: true });
  checkNumber(fn, "options.baseTemperature", baseTemperature, { min: 0, exclusiveMin: true });
  const rows = features.shape[0];
  if (rows === 0 || rows % nViews !== 0) {
    throw new RangeError(
      argumentMessage(
        fn,
        `features has ${rows} rows`,
        `a positive multiple of options.nViews = ${nViews}`,
      ),
    );
  }
  if (labels === undefined) return;
  if (!(labels instanceof tf.Tensor)) {
    throw new TypeError(argumentMessage(fn, `options.labels is ${show(labels)}`, "a tf.Tensor1D"));
  }
  if (labels.dtype !== "int32") {
    throw new TypeError(argumentMessage(fn, `options.labels has dtype ${labels.dtype}`, "int32"));
  }
  const images = rows / nViews;
  if (labels.rank !== 1 || labels.shape[0] !== images) {
    throw new RangeError(
      argumentMessage(
        fn,
        `options.labels has shape ${show(labels.shape)}`,
        `[${images}] (one label per image: ${rows} rows / options.nViews = ${nViews})`,
      ),
    );
  }
}

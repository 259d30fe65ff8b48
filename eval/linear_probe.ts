// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage } from "@simclr/internal/checks";
import { perClassIndices } from "@simclr/datasets/per-class-indices";
import type { LabelledFeatures } from "./extract_features.ts";
import { probeSizes } from "./probe_sizes.ts";
import {
  type LogisticRegressionOptions,
  type LogisticRegressionResult,
  trainLogisticRegression,
} from "./train_logistic_regression.ts";

/** Train and test accuracy of one probe, as in `probe.json`. */
export interface ProbeAccuracy {
  /** Accuracy on the probe's own training images. */
  train: number;
  /** Accuracy on the test split. */
  test: number;
}

/** Probe results by images per class (keys are the sizes as strings, as in `probe.json`). */
export type ProbeResults = Record<string, ProbeAccuracy>;

/** Options for {@linkcode linearProbe}: the sizes, then the logistic regression's options. */
export interface LinearProbeOptions extends Omit<LogisticRegressionOptions, "onEpoch"> {
  /**
   * Training images per class of each probe. Default: the tutorial's 10, 20, 50, 100, 200 and
   * 500 that every class can fill ({@linkcode probeSizes}).
   */
  sizes?: number[];
  /** Called when a size is done, with its full result. */
  onSize?: (size: number, result: LogisticRegressionResult) => void | Promise<void>;
}

/**
 * The tutorial's probe over training-set sizes: for each size `k`, the first `k` training
 * samples of every class (its `get_smaller_dataset` on the label-sorted features) train a
 * logistic regression with {@linkcode trainLogisticRegression}, evaluated on the whole test
 * split.
 *
 * @param train Training features and labels (as {@linkcode extractFeatures} returns them).
 * @param test Test features and labels.
 * @param options Sizes and logistic-regression options.
 * @returns Train and test accuracy per size, keyed by the size.
 *
 * @example Two sizes on toy features
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { linearProbe } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
 * const features = tf.tensor2d([[1, 0], [0.9, 0.1], [1, 0.2], [0, 1], [0.1, 1], [0.2, 0.9]]);
 * const results = await linearProbe({ features, labels }, { features, labels }, {
 *   sizes: [1, 3],
 *   epochs: 20,
 *   lr: 0.1,
 * });
 * assert.deepEqual(Object.keys(results), ["1", "3"]);
 * assert.equal(results["3"].test, 1);
 * features.dispose();
 * ```
 */
export async function linearProbe(
  train: LabelledFeatures,
  test: LabelledFeatures,
  options: LinearProbeOptions = {},
): Promise<ProbeResults> {
  const { onSize, sizes: requested, ...logreg } = options;
  const fn = "linearProbe()";
  if (train.labels.length === 0) {
    throw new RangeError(argumentMessage(fn, "train has 0 samples", "a non-empty training split"));
  }
  if (test.labels.length === 0) {
    throw new RangeError(argumentMessage(fn, "test has 0 samples", "a non-empty test split"));
  }
  const sizes = probeSizes(train.labels, requested);
  let maxLabel = 0;
  for (const l of train.labels) maxLabel = Math.max(maxLabel, l);
  for (const l of test.labels) maxLabel = Math.max(maxLabel, l);
  const numClasses = logreg.numClasses ?? maxLabel + 1;
  const results: ProbeResults = {};
  for (const size of sizes) {
    // The first `size` rows of each class, class-major (rows are sorted by label).
    const rows = perClassIndices(train.labels, size);
    const subset = tf.tidy(() => tf.gather(train.features, tf.tensor1d(rows, "int32"))); // [k*C, d]
    const labels = Int32Array.from(rows, (r) => train.labels[r]);
    try {
      const result = await trainLogisticRegression(subset, labels, test.features, test.labels, {
        ...logreg,
        numClasses,
      });
      results[String(size)] = { train: result.trainAccuracy, test: result.testAccuracy };
      await onSize?.(size, result);
    } finally {
      subset.dispose();
    }
  }
  return results;
}

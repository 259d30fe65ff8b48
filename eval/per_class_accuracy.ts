// Copyright the simclr authors. MIT license.
import { confusionMatrix } from "./confusion_matrix.ts";

/**
 * The accuracy within each true class (the recall of each class).
 *
 * @param predictions Predicted class per sample, integers in `[0, numClasses)`.
 * @param labels True class per sample, integers in `[0, numClasses)`.
 * @param numClasses The number of classes.
 * @returns One accuracy per class; `NaN` for a class with no samples.
 *
 * @example Class 0 half right, class 1 all right, class 2 absent
 * ```ts
 * import { perClassAccuracy } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(perClassAccuracy([0, 1, 1], [0, 0, 1], 3), [0.5, 1, NaN]);
 * ```
 */
export function perClassAccuracy(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[] {
  const matrix = confusionMatrix(predictions, labels, numClasses);
  return matrix.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? NaN : row[c] / total;
  });
}

// Copyright the simclr authors. MIT license.
import { checkInteger } from "@simclr/internal/checks";
import { checkClasses, checkPairs } from "./_check.ts";

/**
 * The confusion matrix: `matrix[t][p]` counts the samples of true class `t` predicted as `p`.
 *
 * @param predictions Predicted class per sample, integers in `[0, numClasses)`.
 * @param labels True class per sample, integers in `[0, numClasses)`.
 * @param numClasses The number of classes (rows and columns).
 * @returns A `numClasses` x `numClasses` matrix of counts (rows: true class, columns: predicted).
 *
 * @example Two classes
 * ```ts
 * import { confusionMatrix } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(confusionMatrix([0, 1, 1, 0], [0, 1, 0, 0], 2), [[2, 1], [0, 1]]);
 * ```
 */
export function confusionMatrix(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
): number[][] {
  const fn = "confusionMatrix()";
  checkPairs(fn, predictions, labels);
  checkInteger(fn, "numClasses", numClasses, { min: 1 });
  checkClasses(fn, "labels", labels, numClasses);
  checkClasses(fn, "predictions", predictions, numClasses);
  const matrix = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predictions[i]]++;
  return matrix;
}

// Copyright the simclr authors. MIT license.
import { checkPairs } from "./_check.ts";

/**
 * The fraction of samples whose predicted class equals the label.
 *
 * @param predictions Predicted class per sample.
 * @param labels True class per sample, same length as `predictions`.
 * @returns The accuracy in [0, 1].
 *
 * @example Three of four right
 * ```ts
 * import { accuracy } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.equal(accuracy([0, 1, 2, 2], [0, 1, 2, 0]), 0.75);
 * ```
 */
export function accuracy(predictions: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPairs("accuracy()", predictions, labels);
  let correct = 0;
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++;
  return correct / labels.length;
}

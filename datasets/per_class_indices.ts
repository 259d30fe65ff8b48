// Copyright 2026 the simclr authors. MIT license.
import { argumentMessage, checkInteger } from "@simclr/internal/checks";

/** Options of {@linkcode perClassIndices}. */
export interface PerClassIndicesOptions {
  /** Number of classes; labels must lie in `0..numClasses-1`. Default: the largest label + 1. */
  numClasses?: number;
}

/**
 * Indices of an exact per-class subset, like the tutorial's `get_smaller_dataset`: the first
 * `k` images of each class in file order, grouped by class (class 0's `k`, then class 1's, ...).
 *
 * @param labels 0-based labels of the whole split, in file order.
 * @param k Images per class.
 * @param options The number of classes (default: the largest label + 1).
 * @returns `k * numClasses` indices into the split.
 * @throws {RangeError} When a class has fewer than `k` images.
 *
 * @example
 * ```ts
 * import { perClassIndices } from "@simclr/datasets";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const labels = [1, 0, 1, 0, 0, 1];
 * deepStrictEqual(Array.from(perClassIndices(labels, 2)), [1, 3, 0, 2]);
 * ```
 */
export function perClassIndices(
  labels: ArrayLike<number>,
  k: number,
  options: PerClassIndicesOptions = {},
): Int32Array {
  const fn = "perClassIndices()";
  checkInteger(fn, "k", k, { min: 1 });
  let largest = -1;
  for (let i = 0; i < labels.length; i++) largest = Math.max(largest, labels[i]);
  const numClasses = checkInteger(fn, "options.numClasses", options.numClasses ?? largest + 1, {
    min: 1,
  });
  const out = new Int32Array(k * numClasses);
  const filled = new Int32Array(numClasses);
  const counts = new Int32Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i];
    if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
      throw new RangeError(
        argumentMessage(fn, `labels[${i}] is ${c}`, `an integer in 0..${numClasses - 1}`),
      );
    }
    counts[c]++;
    if (filled[c] < k) out[c * k + filled[c]++] = i;
  }
  for (let c = 0; c < numClasses; c++) {
    if (filled[c] < k) {
      throw new RangeError(
        argumentMessage(
          fn,
          `k is ${k} but class ${c} has ${counts[c]} images`,
          `k <= ${counts[c]}`,
        ),
      );
    }
  }
  return out;
}

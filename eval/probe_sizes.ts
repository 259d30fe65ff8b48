// Copyright 2026 the simclr authors. MIT license.
import { argumentMessage } from "@simclr/internal/checks";
import { TUTORIAL_PROBE_SIZES } from "./tutorial_results.ts";

/**
 * The probe's training-set sizes (labelled images per class) for a training split: the
 * `requested` sizes, checked against the smallest class, or, without a request, the tutorial's
 * sizes (10, 20, 50, 100, 200, 500) that every class can fill (the smallest class's count
 * when none can).
 *
 * @param labels The training split's labels.
 * @param requested Sizes to check (positive integers, at most the smallest class's count).
 * @returns The sizes.
 *
 * @example
 * ```ts
 * import { probeSizes } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const labels = Array.from({ length: 100 }, (_, i) => i % 2); // 50 images per class
 * assert.deepEqual(probeSizes(labels), [10, 20, 50]);
 * assert.deepEqual(probeSizes(labels, [5, 50]), [5, 50]);
 * assert.throws(() => probeSizes(labels, [100]), /class 0 has 50 training images/);
 * ```
 */
export function probeSizes(labels: ArrayLike<number>, requested?: readonly number[]): number[] {
  const fn = "probeSizes()";
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  if (counts.size === 0) {
    throw new RangeError(argumentMessage(fn, "labels is empty", "a labelled training split"));
  }
  const smallest = Math.min(...counts.values());
  const poorest = [...counts].sort((a, b) => a[0] - b[0]).find(([, n]) => n === smallest)![0];
  if (requested === undefined) {
    const fit = TUTORIAL_PROBE_SIZES.filter((size) => size <= smallest);
    return fit.length > 0 ? fit : [smallest];
  }
  if (requested.length === 0) {
    throw new RangeError(argumentMessage(fn, "sizes is empty", "one or more sizes"));
  }
  for (const size of requested) {
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(argumentMessage(fn, `sizes contains ${size}`, "positive integers"));
    }
    if (size > smallest) {
      throw new RangeError(
        argumentMessage(
          fn,
          `sizes contains ${size} but class ${poorest} has ${smallest} training images`,
          `sizes of at most ${smallest}`,
        ),
      );
    }
  }
  return [...requested];
}

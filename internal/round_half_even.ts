// Copyright 2026 the simclr authors. MIT license.

/**
 * Python's `round()`: to the nearest integer, ties to the even one (torchvision's crop sizes
 * and `CenterCrop` offsets use it).
 *
 * @param x A number.
 * @returns The nearest integer, ties to even.
 *
 * @example
 * ```ts
 * import { roundHalfEven } from "@simclr/internal/round-half-even";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual([0.5, 1.5, 2.5, 2.6].map(roundHalfEven), [0, 2, 2, 3]);
 * ```
 */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

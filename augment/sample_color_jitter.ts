import type { Rng } from "./rng.ts";
import { sampleJitter } from "./_sampling.ts";
import { jitterRanges } from "./_view_config.ts";

/**
 * Strengths of the colour jitter, as torchvision's `ColorJitter` arguments: a number `v`
 * means the factor range `[max(0, 1 - v), 1 + v]` (hue: shift range `[-v, v]`, `v <= 0.5`),
 * a pair is the range itself. Defaults are the tutorial's: 0.5, 0.5, 0.5, 0.1.
 */
export interface ColorJitterOptions {
  /** Brightness strength or factor range (default 0.5). */
  brightness?: number | readonly [number, number];
  /** Contrast strength or factor range (default 0.5). */
  contrast?: number | readonly [number, number];
  /** Saturation strength or factor range (default 0.5). */
  saturation?: number | readonly [number, number];
  /** Hue strength in [0, 0.5] or shift range within [-0.5, 0.5] (default 0.1). */
  hue?: number | readonly [number, number];
}

/** One image's colour jitter: the order of the four adjustments and their factors. */
export interface ColorJitterParams {
  /**
   * The order in which the adjustments apply: a permutation of 0 (brightness), 1 (contrast),
   * 2 (saturation), 3 (hue).
   */
  order: number[];
  /** Brightness factor, or null when brightness jitter is off. */
  brightness: number | null;
  /** Contrast factor, or null when off. */
  contrast: number | null;
  /** Saturation factor, or null when off. */
  saturation: number | null;
  /** Hue shift, or null when off. */
  hue: number | null;
}

/** The factor ranges of a {@linkcode ColorJitterOptions}; null where the adjustment is off. */
export type JitterRanges = [
  [number, number] | null,
  [number, number] | null,
  [number, number] | null,
  [number, number] | null,
];

/**
 * Checks colour-jitter options and resolves them to factor ranges (defaults: the tutorial's).
 *
 * @param options Strengths or ranges.
 * @returns `[brightness, contrast, saturation, hue]` ranges, null where off.
 *
 * @example
 * ```ts
 * import { colorJitterRanges } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(colorJitterRanges({ brightness: 0.4, contrast: 0, saturation: 2 }), [
 *   [0.6, 1.4], null, [0, 3], [-0.1, 0.1],
 * ]);
 * ```
 */
export function colorJitterRanges(options: ColorJitterOptions = {}): JitterRanges {
  return jitterRanges("colorJitterRanges()", options);
}

/**
 * Samples one image's colour jitter as torchvision's `ColorJitter.get_params`: a random order
 * of the four adjustments (`randperm(4)`), then each factor uniform in its range.
 *
 * @param rng The random source.
 * @param options Strengths or ranges (defaults: the tutorial's 0.5, 0.5, 0.5, 0.1).
 * @returns The order and the factors (null where an adjustment is off).
 *
 * @example
 * ```ts
 * import { createRng, sampleColorJitter } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * const p = sampleColorJitter(createRng(3));
 * assert.deepEqual(p.order.toSorted(), [0, 1, 2, 3]);
 * assert(p.brightness! >= 0.5 && p.brightness! <= 1.5);
 * assert(Math.abs(p.hue!) <= 0.1);
 * ```
 */
export function sampleColorJitter(rng: Rng, options: ColorJitterOptions = {}): ColorJitterParams {
  return sampleJitter(rng, jitterRanges("sampleColorJitter()", options));
}

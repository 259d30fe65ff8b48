// Copyright the simclr authors. MIT license.

/**
 * The tutorial's linear-probe test accuracy on STL10 (SimCLR ResNet-18, 500 epochs), by the
 * number of labelled training images per class: the targets this project reproduces.
 *
 * @example
 * ```ts
 * import { TUTORIAL_PROBE_ACCURACY } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TUTORIAL_PROBE_ACCURACY[500], 0.8133);
 * ```
 */
export const TUTORIAL_PROBE_ACCURACY: Readonly<Record<number, number>> = Object.freeze({
  10: 0.6281,
  20: 0.686,
  50: 0.7444,
  100: 0.772,
  200: 0.7906,
  500: 0.8133,
});

/**
 * The tutorial's supervised ResNet-18 baseline (from scratch on the 5,000 labelled STL10
 * images): its test accuracy.
 *
 * @example
 * ```ts
 * import { TUTORIAL_BASELINE_ACCURACY } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.equal(TUTORIAL_BASELINE_ACCURACY, 0.7331);
 * ```
 */
export const TUTORIAL_BASELINE_ACCURACY = 0.7331;

/**
 * The tutorial's probe training-set sizes: labelled images per class.
 *
 * @example
 * ```ts
 * import { TUTORIAL_PROBE_ACCURACY, TUTORIAL_PROBE_SIZES } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(TUTORIAL_PROBE_SIZES, Object.keys(TUTORIAL_PROBE_ACCURACY).map(Number));
 * ```
 */
export const TUTORIAL_PROBE_SIZES: readonly number[] = Object.freeze([10, 20, 50, 100, 200, 500]);

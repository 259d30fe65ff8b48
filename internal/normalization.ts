// Copyright 2026 the simclr authors. MIT license.
/**
 * The tutorial's input normalisation, `transforms.Normalize((0.5,), (0.5,))`: one mean and one
 * standard deviation for all three channels, mapping [0, 1] pixels to [-1, 1]. Pretraining
 * views, the baseline's views and feature extraction all use these.
 *
 * @module
 */

/** Per-channel mean of the tutorial's `Normalize` (one value for all channels). */
export const TUTORIAL_MEAN: readonly number[] = Object.freeze([0.5]);

/** Per-channel standard deviation of the tutorial's `Normalize`. */
export const TUTORIAL_STD: readonly number[] = Object.freeze([0.5]);

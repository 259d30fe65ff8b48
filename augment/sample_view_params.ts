import type { Box } from "./_crop_resize.ts";
import { checkInteger } from "@simclr/internal/checks";
import { resolveViewOptions, sampleView } from "./_view_config.ts";
import type { Rng } from "./rng.ts";
import type { ColorJitterOptions, ColorJitterParams } from "./sample_color_jitter.ts";

/**
 * The random transforms of one view, as the tutorial's `contrast_transforms`:
 * `RandomHorizontalFlip(flipProbability)`, `RandomResizedCrop(size, cropScale, cropRatio)`,
 * `RandomApply([ColorJitter(brightness, contrast, saturation, hue)], jitterProbability)`,
 * `RandomGrayscale(grayscaleProbability)`, `GaussianBlur(kernel, blurSigma)`. Defaults are the
 * tutorial's.
 */
export interface ViewOptions extends ColorJitterOptions {
  /** Probability of a horizontal flip (default 0.5). */
  flipProbability?: number;
  /** Range of the crop's area as a fraction of the image's (default `[0.08, 1]`). */
  cropScale?: readonly [number, number];
  /** Range of the crop's aspect ratio, width / height (default `[3/4, 4/3]`). */
  cropRatio?: readonly [number, number];
  /** Probability that the colour jitter applies (default 0.8; 0 turns it off). */
  jitterProbability?: number;
  /** Probability of converting to grayscale (default 0.2). */
  grayscaleProbability?: number;
  /** Range of the blur's sigma in pixels, sampled uniformly (default `[0.1, 2]`). */
  blurSigma?: readonly [number, number];
}

/** The sampled parameters of one view (see {@linkcode applyViewParams}). */
export interface ViewParams {
  /** Whether the image is flipped horizontally (before cropping). */
  flip: boolean;
  /** The crop box `[top, left, height, width]` in the (flipped) image. */
  box: Box;
  /** The colour jitter, or null when it does not apply. */
  jitter: ColorJitterParams | null;
  /** Whether the view is converted to grayscale (after the jitter). */
  grayscale: boolean;
  /** The blur's sigma, or null for no blur. */
  sigma: number | null;
}

/**
 * Samples the random parameters of one view as the tutorial's `contrast_transforms` does, in
 * its order: the flip (`rand < p`), the crop box (`RandomResizedCrop.get_params`), whether the
 * colour jitter applies and its order and factors (`ColorJitter.get_params`), grayscale
 * (`rand < p`), the blur sigma (uniform in `blurSigma`).
 *
 * @param rng The random source.
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param options Probabilities and ranges (defaults: the tutorial's).
 * @returns The view's parameters, for {@linkcode applyViewParams}.
 *
 * @example
 * ```ts
 * import { createRng, sampleViewParams } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * const p = sampleViewParams(createRng(0), 96, 96, { grayscaleProbability: 1 });
 * assert.equal(p.grayscale, true);
 * assert(p.sigma! >= 0.1 && p.sigma! <= 2);
 * ```
 */
export function sampleViewParams(
  rng: Rng,
  height: number,
  width: number,
  options: ViewOptions = {},
): ViewParams {
  checkInteger("sampleViewParams()", "height", height, { min: 1 });
  checkInteger("sampleViewParams()", "width", width, { min: 1 });
  return sampleView(rng, height, width, resolveViewOptions("sampleViewParams()", options));
}

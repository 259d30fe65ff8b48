// Internal: checked view options and the per-view sampler behind simclrViews / baselineView.
import { checkProbability, checkRange } from "./_checks.ts";
import { sampleBox, sampleJitter } from "./_sampling.ts";
import type { Rng } from "./rng.ts";
import { colorJitterRanges, type JitterRanges } from "./sample_color_jitter.ts";
import type { ViewOptions, ViewParams } from "./sample_view_params.ts";

/** Checked, defaulted {@linkcode ViewOptions}. */
export interface ResolvedViewOptions {
  flipProbability: number;
  cropScale: readonly [number, number];
  cropRatio: readonly [number, number];
  jitterProbability: number;
  jitter: JitterRanges;
  grayscaleProbability: number;
  blurSigma: readonly [number, number];
}

/** Checks `options` and fills in the tutorial's defaults. */
export function resolveViewOptions(options: ViewOptions): ResolvedViewOptions {
  const {
    flipProbability = 0.5,
    cropScale = [0.08, 1],
    cropRatio = [3 / 4, 4 / 3],
    jitterProbability = 0.8,
    grayscaleProbability = 0.2,
    blurSigma = [0.1, 2],
  } = options;
  checkProbability("flipProbability", flipProbability);
  checkProbability("jitterProbability", jitterProbability);
  checkProbability("grayscaleProbability", grayscaleProbability);
  checkRange("cropScale", cropScale, 0, Infinity, true);
  checkRange("cropRatio", cropRatio, 0, Infinity, true);
  checkRange("blurSigma", blurSigma, 0, Infinity, true);
  return {
    flipProbability,
    cropScale,
    cropRatio,
    jitterProbability,
    jitter: colorJitterRanges(options),
    grayscaleProbability,
    blurSigma,
  };
}

/** Samples one view from resolved options (draw order: flip, crop, jitter, gray, sigma). */
export function sampleView(
  rng: Rng,
  height: number,
  width: number,
  o: ResolvedViewOptions,
): ViewParams {
  const flip = rng.uniform(0, 1) < o.flipProbability;
  const box = sampleBox(rng, height, width, o.cropScale, o.cropRatio);
  const jitter = o.jitterProbability > 0 && rng.uniform(0, 1) < o.jitterProbability
    ? sampleJitter(rng, o.jitter)
    : null;
  const grayscale = rng.uniform(0, 1) < o.grayscaleProbability;
  const sigma = rng.uniform(o.blurSigma[0], o.blurSigma[1]);
  return { flip, box, jitter, grayscale, sigma };
}

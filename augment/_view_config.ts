// Internal: checked view options and the per-view sampler behind simclrViews / baselineView.
import { argumentMessage, checkNumber, show } from "@simclr/internal/checks";
import { checkRange } from "./_checks.ts";
import { sampleBox, sampleJitter } from "./_sampling.ts";
import type { Rng } from "./rng.ts";
import type { ColorJitterOptions, JitterRanges } from "./sample_color_jitter.ts";
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

/** Checks `options` of `fn` and fills in the tutorial's defaults. */
export function resolveViewOptions(fn: string, options: ViewOptions): ResolvedViewOptions {
  const {
    flipProbability = 0.5,
    cropScale = [0.08, 1],
    cropRatio = [3 / 4, 4 / 3],
    jitterProbability = 0.8,
    grayscaleProbability = 0.2,
    blurSigma = [0.1, 2],
  } = options;
  const probability = { min: 0, max: 1 };
  checkNumber(fn, "options.flipProbability", flipProbability, probability);
  checkNumber(fn, "options.jitterProbability", jitterProbability, probability);
  checkNumber(fn, "options.grayscaleProbability", grayscaleProbability, probability);
  checkRange(fn, "options.cropScale", cropScale, 0, Infinity, true);
  checkRange(fn, "options.cropRatio", cropRatio, 0, Infinity, true);
  checkRange(fn, "options.blurSigma", blurSigma, 0, Infinity, true);
  return {
    flipProbability,
    cropScale,
    cropRatio,
    jitterProbability,
    jitter: jitterRanges(fn, options),
    grayscaleProbability,
    blurSigma,
  };
}

/** torchvision's `ColorJitter._check_input`: a strength or range to a range (or null). */
function jitterRange(
  fn: string,
  name: string,
  value: number | readonly [number, number],
  center: number,
  bound: [number, number],
  clipFirstOnZero: boolean,
): [number, number] | null {
  let range: [number, number];
  if (typeof value === "number") {
    range = [center - value, center + value];
    if (clipFirstOnZero) range[0] = Math.max(range[0], 0);
    if (!(value >= 0) || range[0] < bound[0] || range[1] > bound[1]) {
      const most = Math.min(clipFirstOnZero ? Infinity : center - bound[0], bound[1] - center);
      const strength = most === Infinity ? "a non-negative number" : `a number in [0, ${most}]`;
      throw new RangeError(
        argumentMessage(fn, `${name} is ${show(value)}`, `${strength} or a [min, max] range`),
      );
    }
  } else {
    checkRange(fn, name, value, bound[0], bound[1]);
    range = [value[0], value[1]];
  }
  return range[0] === center && range[1] === center ? null : range;
}

/** Checks colour-jitter `options` of `fn` and resolves them to factor ranges. */
export function jitterRanges(fn: string, options: ColorJitterOptions): JitterRanges {
  const { brightness = 0.5, contrast = 0.5, saturation = 0.5, hue = 0.1 } = options;
  return [
    jitterRange(fn, "options.brightness", brightness, 1, [0, Infinity], true),
    jitterRange(fn, "options.contrast", contrast, 1, [0, Infinity], true),
    jitterRange(fn, "options.saturation", saturation, 1, [0, Infinity], true),
    jitterRange(fn, "options.hue", hue, 0, [-0.5, 0.5], false),
  ];
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

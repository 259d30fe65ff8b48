import type { Box } from "./_crop_resize.ts";
import { sampleBox } from "./_sampling.ts";
import { checkInteger } from "@simclr/internal/checks";
import { checkRange } from "./_checks.ts";
import type { Rng } from "./rng.ts";

/**
 * Samples a crop box as torchvision's `RandomResizedCrop.get_params`: up to 10 tries of an
 * area fraction uniform in `scale` and an aspect ratio (width / height) log-uniform in
 * `ratio`, rounded to whole pixels (ties to even, as Python's `round`), accepted when it fits
 * in the image, at a uniformly random position; after 10 misses, the centre crop with the
 * aspect ratio clamped to `ratio`.
 *
 * @param rng The random source.
 * @param height Image height in pixels.
 * @param width Image width in pixels.
 * @param scale Range of the crop's area as a fraction of the image's (default `[0.08, 1]`).
 * @param ratio Range of the crop's aspect ratio, width / height (default `[3/4, 4/3]`).
 * @returns The box `[top, left, height, width]`, inside the image.
 *
 * @example
 * ```ts
 * import { createRng, sampleResizedCropBox } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * const [top, left, h, w] = sampleResizedCropBox(createRng(1), 96, 96);
 * assert(top >= 0 && left >= 0 && top + h <= 96 && left + w <= 96);
 * ```
 */
export function sampleResizedCropBox(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number] = [0.08, 1],
  ratio: readonly [number, number] = [3 / 4, 4 / 3],
): Box {
  const fn = "sampleResizedCropBox()";
  checkInteger(fn, "height", height, { min: 1 });
  checkInteger(fn, "width", width, { min: 1 });
  checkRange(fn, "scale", scale, 0, Infinity, true);
  checkRange(fn, "ratio", ratio, 0, Infinity, true);
  return sampleBox(rng, height, width, scale, ratio);
}

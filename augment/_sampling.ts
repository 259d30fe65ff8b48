// Internal samplers without argument checks (the public ones check, then call these).
import { roundHalfEven } from "@simclr/internal/round-half-even";
import type { Box } from "./_crop_resize.ts";
import type { Rng } from "./rng.ts";
import type { ColorJitterParams, JitterRanges } from "./sample_color_jitter.ts";

/** `sampleResizedCropBox` without the argument checks. */
export function sampleBox(
  rng: Rng,
  height: number,
  width: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
): Box {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])];
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = roundHalfEven(Math.sqrt(targetArea * aspect));
    const h = roundHalfEven(Math.sqrt(targetArea / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.integer(0, height - h);
      const left = rng.integer(0, width - w);
      return [top, left, h, w];
    }
  }
  // Fallback to the central crop
  const inRatio = width / height;
  let w: number, h: number;
  if (inRatio < ratio[0]) {
    w = width;
    h = roundHalfEven(w / ratio[0]);
  } else if (inRatio > ratio[1]) {
    h = height;
    w = roundHalfEven(h * ratio[1]);
  } else {
    w = width;
    h = height;
  }
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}

/** `sampleColorJitter` from resolved ranges. */
export function sampleJitter(rng: Rng, ranges: JitterRanges): ColorJitterParams {
  const order = rng.permutation(4);
  const [b, c, s, h] = ranges.map((r) => (r === null ? null : rng.uniform(r[0], r[1])));
  return { order, brightness: b, contrast: c, saturation: s, hue: h };
}

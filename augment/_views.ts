// Internal: n random views of a batch, shared by simclrViews and baselineView.
import * as tf from "@tensorflow/tfjs-core";
import { checkBoolean, checkInteger } from "@simclr/internal/checks";
import { type ApplyViewOptions, applyViewParams } from "./apply_view_params.ts";
import { checkImageInput, checkViewSettings } from "./_checks.ts";
import { createRng } from "./rng.ts";
import type { ViewParams } from "./sample_view_params.ts";
import { type ImageInput, toFloatImages } from "./to_float_images.ts";
import { type ResolvedViewOptions, sampleView } from "./_view_config.ts";

/** The images given are images `start ..` of a batch of `batchSize` (see `simclrViews`). */
export interface BatchPartOption {
  /** Images in the whole batch. */
  batchSize: number;
  /** Index in the batch of the first image given. */
  start: number;
}

/**
 * Samples `nViews` views of every image (view-major: all images' view 0, then view 1, ...)
 * from `createRng(seed)` and applies them as one batch of `nViews * N` images. With `part`,
 * the views of the whole batch are sampled and those of the part's images applied.
 */
export function randomViews(
  fn: string,
  input: ImageInput,
  nViews: number,
  seed: number,
  view: ResolvedViewOptions,
  apply: ApplyViewOptions & { antialias: boolean },
  part?: BatchPartOption,
): tf.Tensor4D {
  checkInteger(fn, "options.nViews", nViews, { min: 1 });
  checkInteger(fn, "options.seed", seed);
  checkImageInput(fn, input);
  checkViewSettings(fn, apply as Required<ApplyViewOptions>);
  checkBoolean(fn, "options.antialias", apply.antialias);
  const rng = createRng(seed);
  return tf.tidy(() => {
    const images = toFloatImages(input);
    const [n, height, width] = images.shape;
    const batchSize = part?.batchSize ?? n;
    const start = part?.start ?? 0;
    if (part !== undefined) {
      checkInteger(fn, "options.part.batchSize", batchSize, { min: n });
      checkInteger(fn, "options.part.start", start, { min: 0, max: batchSize - n });
    }
    const params: ViewParams[] = [];
    for (let v = 0; v < nViews; v++) {
      for (let b = 0; b < batchSize; b++) {
        const sampled = sampleView(rng, height, width, view);
        if (b >= start && b < start + n) params.push(sampled);
      }
    }
    // [N, H, W, 3] -> [nViews * N, H, W, 3], view-major
    const tiled = nViews === 1 ? images : tf.concat(Array(nViews).fill(images));
    return applyViewParams(tiled, params, apply);
  });
}

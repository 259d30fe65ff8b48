import type * as tf from "@tensorflow/tfjs-core";
import { TUTORIAL_MEAN, TUTORIAL_STD } from "@simclr/internal/normalization";
import { type BatchPartOption, randomViews } from "./_views.ts";

export type { BatchPartOption } from "./_views.ts";
import { resolveViewOptions } from "./_view_config.ts";
import type { ViewOptions } from "./sample_view_params.ts";
import type { ImageInput } from "./to_float_images.ts";

/** Options of {@linkcode simclrViews}; every default is the tutorial's. */
export interface SimCLRViewsOptions extends ViewOptions {
  /** Seed of the random parameters (required): same seed and backend, same bytes. */
  seed: number;
  /** Views per image (default 2). */
  nViews?: number;
  /** Output size in pixels, `RandomResizedCrop(size)` (default 96). */
  size?: number;
  /** Odd Gaussian kernel size (default 9). */
  blurKernelSize?: number;
  /** Normalization means, 1 or 3 values (default `[0.5]`). */
  mean?: readonly number[];
  /** Normalization standard deviations, 1 or 3 values (default `[0.5]`). */
  std?: readonly number[];
  /**
   * Antialias the crop's resize where it shrinks (default true): PIL's bilinear filter,
   * widened by the scale, as the tutorial's transforms on PIL images resize. `false` is
   * torchvision's float-tensor op (`antialias=False`), what {@linkcode resizedCrop} does by
   * default.
   */
  antialias?: boolean;
  /**
   * The images given are images `start ..` of a batch of `batchSize`: the whole batch's
   * parameters are sampled and this part's applied, so the views of a batch's parts, put
   * together view by view, are the batch's views. For data-parallel replicas and chunked steps.
   */
  part?: BatchPartOption;
}

/**
 * The tutorial's `ContrastiveTransformations(contrast_transforms, n_views)` over a whole
 * batch: each image gets `nViews` independent random views of
 *
 * ```
 * RandomHorizontalFlip(), RandomResizedCrop(96),
 * RandomApply([ColorJitter(0.5, 0.5, 0.5, 0.1)], p=0.8), RandomGrayscale(p=0.2),
 * GaussianBlur(kernel_size=9), ToTensor(), Normalize((0.5,), (0.5,))
 * ```
 *
 * with every option adjustable. The parameters are sampled per image as torchvision samples
 * them (see {@linkcode sampleViewParams}; views in view-major order, each image's draws in the
 * pipeline's order) from a seeded pure-rand generator, and applied as batched tensor ops on the
 * active backend ({@linkcode applyViewParams}), not image by image. The ops follow
 * torchvision's functional ops on float tensors, with the resize antialiased as PIL's (the
 * tutorial applies its transforms to PIL images; `antialias: false` gives the float-tensor
 * resize). PIL also rounds to 8 bits after every step; measured on real images, that
 * rounding does not change what SimCLR learns (see the README), so the views stay float.
 *
 * @param images Float32 NHWC images in [0, 1], int32 NHWC 0..255, or raw STL10-style bytes
 *   (`{ pixels: Uint8Array, height?, width? }`, HWC per image).
 * @param options The seed (required) and the transform's settings.
 * @returns The views, `[nViews * N, size, size, 3]`, stacked view-major (row `v * N + b` is
 *   view `v` of image `b`, as the tutorial's `torch.cat(imgs, dim=0)`), normalized.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { simclrViews } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.randomUniform([4, 32, 32, 3]) as tf.Tensor4D;
 * const views = simclrViews(images, { seed: 42, size: 24 });
 * assert.deepEqual(views.shape, [8, 24, 24, 3]);
 * const again = simclrViews(images, { seed: 42, size: 24 });
 * assert.deepEqual(again.dataSync(), views.dataSync());
 * tf.dispose([images, views, again]);
 * ```
 */
export function simclrViews(images: ImageInput, options: SimCLRViewsOptions): tf.Tensor4D {
  const {
    seed,
    nViews = 2,
    size = 96,
    blurKernelSize = 9,
    mean = TUTORIAL_MEAN,
    std = TUTORIAL_STD,
    antialias = true,
  } = options ?? {} as SimCLRViewsOptions;
  const view = resolveViewOptions("simclrViews()", options ?? {});
  return randomViews("simclrViews()", images, nViews, seed, view, {
    size,
    blurKernelSize,
    mean,
    std,
    antialias,
  }, options?.part);
}

import type * as tf from "@tensorflow/tfjs-core";
import { TUTORIAL_MEAN, TUTORIAL_STD } from "@simclr/internal/normalization";
import { randomViews } from "./_views.ts";
import { resolveViewOptions } from "./_view_config.ts";
import type { SimCLRViewsOptions } from "./simclr_views.ts";
import type { ImageInput } from "./to_float_images.ts";

/**
 * Options of {@linkcode baselineView}: those of {@linkcode simclrViews} without the colour
 * jitter and the view count. Defaults are the baseline's: `cropScale` `[0.8, 1]`, `blurSigma`
 * `[0.1, 0.5]`, flip 0.5, grayscale 0.2, size 96, kernel 9, normalize 0.5 / 0.5, antialias
 * true (PIL's resize, as the tutorial's transforms on PIL images).
 */
export type BaselineViewOptions = Omit<
  SimCLRViewsOptions,
  "nViews" | "jitterProbability" | "brightness" | "contrast" | "saturation" | "hue"
>;

/**
 * The supervised baseline's `train_transforms` from the tutorial over a whole batch, one
 * random view per image:
 *
 * ```
 * RandomHorizontalFlip(), RandomResizedCrop(96, scale=(0.8, 1.0)), RandomGrayscale(p=0.2),
 * GaussianBlur(kernel_size=9, sigma=(0.1, 0.5)), ToTensor(), Normalize((0.5,), (0.5,))
 * ```
 *
 * Sampling and ops as {@linkcode simclrViews}, without colour jitter.
 *
 * @param images Float32 NHWC images in [0, 1], int32 NHWC 0..255, or raw STL10-style bytes.
 * @param options The seed (required) and the transform's settings.
 * @returns The augmented images, `[N, size, size, 3]`, normalized.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { baselineView } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const pixels = new Uint8Array(2 * 32 * 32 * 3).fill(128);
 * const out = baselineView({ pixels, height: 32, width: 32 }, { seed: 1, size: 16 });
 * assert.deepEqual(out.shape, [2, 16, 16, 3]);
 * out.dispose();
 * ```
 */
export function baselineView(images: ImageInput, options: BaselineViewOptions): tf.Tensor4D {
  const {
    seed,
    size = 96,
    blurKernelSize = 9,
    mean = TUTORIAL_MEAN,
    std = TUTORIAL_STD,
    cropScale = [0.8, 1],
    blurSigma = [0.1, 0.5],
    antialias = true,
  } = options ?? {} as BaselineViewOptions;
  const view = resolveViewOptions("baselineView()", {
    ...options,
    cropScale,
    blurSigma,
    jitterProbability: 0,
  });
  return randomViews(
    "baselineView()",
    images,
    1,
    seed,
    view,
    { size, blurKernelSize, mean, std, antialias },
    options?.part,
  );
}

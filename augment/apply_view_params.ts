import * as tf from "@tensorflow/tfjs-core";
import { TUTORIAL_MEAN, TUTORIAL_STD } from "@simclr/internal/normalization";
import { argumentMessage, checkBoolean, show } from "@simclr/internal/checks";
import { checkBox, cropResize } from "./_crop_resize.ts";
import { checkImages, checkViewSettings } from "./_checks.ts";
import { luma3, meanLuma, normalizeChannels, perImage, rotateHue } from "./_color.ts";
import { gaussianKernels, separableBlur } from "./_blur.ts";
import type { ViewParams } from "./sample_view_params.ts";

/** Fixed settings of {@linkcode applyViewParams}; defaults are the tutorial's. */
export interface ApplyViewOptions {
  /** Output size in pixels (default 96). */
  size?: number;
  /** Odd Gaussian kernel size (default 9). */
  blurKernelSize?: number;
  /** Normalization means, 1 or 3 values (default `[0.5]`). */
  mean?: readonly number[];
  /** Normalization standard deviations, 1 or 3 values (default `[0.5]`). */
  std?: readonly number[];
  /**
   * Antialias the resize when it shrinks, as PIL does (and torchvision's `antialias=True`):
   * default false here, the float-tensor op; {@linkcode simclrViews} passes true, the
   * tutorial's PIL pipeline.
   */
  antialias?: boolean;
}

/** Throws unless every view's parameters are usable. */
function checkParams(params: readonly ViewParams[], batch: number): void {
  const fn = "applyViewParams()";
  if (!Array.isArray(params) || params.length !== batch) {
    throw new RangeError(
      argumentMessage(
        fn,
        `params has length ${(params as unknown[])?.length}`,
        `${batch} (one per image)`,
      ),
    );
  }
  params.forEach((p, i) => {
    checkBox(fn, `params[${i}].box`, p.box);
    if (p.sigma !== null && !(p.sigma > 0)) {
      throw new RangeError(
        argumentMessage(fn, `params[${i}].sigma is ${show(p.sigma)}`, "a sigma > 0 or null"),
      );
    }
    const j = p.jitter;
    if (j === null) return;
    if (!Array.isArray(j.order) || [...j.order].sort().join() !== "0,1,2,3") {
      throw new RangeError(
        argumentMessage(
          fn,
          `params[${i}].jitter.order is ${show(j.order)}`,
          "a permutation of 0, 1, 2, 3",
        ),
      );
    }
    for (const key of ["brightness", "contrast", "saturation"] as const) {
      const v = j[key];
      if (v !== null && !(v >= 0)) {
        throw new RangeError(
          argumentMessage(fn, `params[${i}].jitter.${key} is ${show(v)}`, "a factor >= 0 or null"),
        );
      }
    }
    if (j.hue !== null && !(j.hue >= -0.5 && j.hue <= 0.5)) {
      throw new RangeError(
        argumentMessage(fn, `params[${i}].jitter.hue is ${show(j.hue)}`, "a shift in [-0.5, 0.5]"),
      );
    }
  });
}

/**
 * One slot of the colour jitter: image `b` gets adjustment `params[b].jitter.order[slot]`.
 * Brightness, contrast and saturation are all `_blend(image, other, factor)` (other = 0, the
 * mean luma, the luma), so they run as one blend with per-image factor and target; hue runs
 * only on the images whose slot holds it, and the results are gathered back in place.
 */
function jitterSlot(x: tf.Tensor4D, params: readonly ViewParams[], slot: number): tf.Tensor4D {
  const batch = x.shape[0];
  const factors = new Float32Array(batch).fill(1);
  const useMean = new Float32Array(batch);
  const useLuma = new Float32Array(batch);
  const hueImages: number[] = [];
  const hueShifts: number[] = [];
  params.forEach((p, b) => {
    const j = p.jitter;
    if (j === null) return;
    const op = j.order[slot];
    const factor = [j.brightness, j.contrast, j.saturation][op];
    if (op === 3) {
      if (j.hue !== null) {
        hueImages.push(b);
        hueShifts.push(j.hue);
      }
    } else if (factor !== null && factor !== undefined) {
      factors[b] = factor;
      useMean[b] = op === 1 ? 1 : 0;
      useLuma[b] = op === 2 ? 1 : 0;
    }
  });
  const blends = factors.some((f) => f !== 1);
  if (!blends && hueImages.length === 0) return tf.clone(x);
  return tf.tidy(() => {
    const shape = x.shape;
    let out = x;
    if (blends) {
      // _blend(x, other, f) = f x + (1 - f) other with other = 0 (brightness), the mean luma
      // (contrast) or the luma (saturation), as f x + g luma + m with per-image g = (1 - f) or
      // 0 and m = (1 - f) mean or 0: the same products and sums as torchvision's. Images
      // without a blend in this slot get f = 1: exactly the identity on [0, 1].
      const f = tf.tensor1d(factors);
      const rest = tf.sub(1, f); // [B]
      let sum = tf.mul(perImage(f, shape), x);
      if (useLuma.some((u) => u === 1)) {
        const g = tf.mul(rest, tf.tensor1d(useLuma));
        sum = tf.add(sum, tf.mul(perImage(g, shape), luma3(x)));
      }
      if (useMean.some((u) => u === 1)) {
        const m = tf.mul(tf.mul(rest, tf.tensor1d(useMean)), meanLuma(x));
        sum = tf.add(sum, perImage(m, shape));
      }
      out = tf.clipByValue(sum, 0, 1) as tf.Tensor4D;
    }
    if (hueImages.length > 0) {
      const picked = tf.gather(x, tf.tensor1d(hueImages, "int32")); // [K, H, W, 3]
      const rotated = rotateHue(picked, tf.tensor1d(hueShifts));
      if (hueImages.length === batch) return rotated;
      // Rows 0..B-1 of [out; rotated] are the blends, B + k the k-th hue image.
      const source = Array.from({ length: batch }, (_, b) => b);
      hueImages.forEach((b, k) => (source[b] = batch + k));
      out = tf.gather(tf.concat([out, rotated]), tf.tensor1d(source, "int32"));
    }
    return out;
  });
}

/**
 * Applies sampled view parameters to a batch, image `b` with `params[b]`, in the order of the
 * tutorial's `contrast_transforms` on float tensors: horizontal flip, resized crop (bilinear,
 * as {@linkcode resizedCrop}, antialiased with `options.antialias`), colour jitter in each image's own order (as
 * {@linkcode adjustBrightness} etc.), grayscale, Gaussian blur (as {@linkcode gaussianBlur}),
 * normalize. All as batched tensor ops: the flip folds into the crop's gather, and each of the
 * four jitter slots is one blend over the batch plus a hue rotation of the images whose slot
 * holds the hue; crop, flip and resize are two batched matrix products with per-image weights.
 *
 * Images are expected in [0, 1]; the jitter's identity for images without an adjustment in a
 * slot relies on it.
 *
 * @param images NHWC float32 images in [0, 1], shape `[B, H, W, 3]`.
 * @param params One view's parameters per image, e.g. from {@linkcode sampleViewParams}.
 * @param options Output size, blur kernel size and normalization (defaults: the tutorial's).
 * @returns The views, shape `[B, size, size, 3]`, normalized.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { applyViewParams, type ViewParams } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.fill([1, 32, 32, 3], 0.5) as tf.Tensor4D;
 * const params: ViewParams[] = [{
 *   flip: true,
 *   box: [4, 4, 16, 20],
 *   jitter: { order: [3, 0, 1, 2], brightness: 1.5, contrast: 1, saturation: 1, hue: 0 },
 *   grayscale: false,
 *   sigma: 1,
 * }];
 * const views = applyViewParams(images, params, { size: 16 });
 * // 0.5 * 1.5 = 0.75, normalized with mean 0.5 and std 0.5: 0.5
 * for (const v of views.dataSync()) assert(Math.abs(v - 0.5) < 1e-5);
 * tf.dispose([images, views]);
 * ```
 */
export function applyViewParams(
  images: tf.Tensor4D,
  params: readonly ViewParams[],
  options: ApplyViewOptions = {},
): tf.Tensor4D {
  const {
    size = 96,
    blurKernelSize = 9,
    mean = TUTORIAL_MEAN,
    std = TUTORIAL_STD,
    antialias = false,
  } = options;
  checkImages("applyViewParams()", images);
  checkBoolean("applyViewParams()", "options.antialias", antialias);
  const [outH, outW] = checkViewSettings("applyViewParams()", { size, blurKernelSize, mean, std });
  const batch = images.shape[0];
  checkParams(params, batch);
  return tf.tidy(() => {
    let x = cropResize(images, params.map((p) => p.box), outH, outW, {
      mirror: params.map((p) => p.flip),
      antialias,
    });
    if (params.some((p) => p.jitter !== null)) {
      for (let slot = 0; slot < 4; slot++) x = jitterSlot(x, params, slot);
    }
    if (params.some((p) => p.grayscale)) {
      // x * (1 - m) + gray * m with m in {0, 1}: an exact per-image choice
      const mask = perImage(tf.tensor1d(params.map((p) => (p.grayscale ? 1 : 0))), x.shape);
      x = tf.add(tf.mul(x, tf.sub(1, mask)), tf.mul(luma3(x), mask));
    }
    if (params.some((p) => p.sigma !== null)) {
      // A view without blur gets the delta kernel, exactly the identity.
      const sigmas = tf.tensor1d(params.map((p) => p.sigma ?? 1));
      const delta = tf.oneHot(tf.tensor1d([(blurKernelSize - 1) / 2], "int32"), blurKernelSize);
      const noBlur = tf.tensor2d(params.map((p) => (p.sigma === null ? 1 : 0)), [batch, 1], "bool");
      const kernels = tf.where(
        noBlur,
        tf.cast(delta, "float32"),
        gaussianKernels(sigmas, blurKernelSize),
      );
      x = separableBlur(x, kernels as tf.Tensor2D);
    }
    return normalizeChannels(x, mean, std);
  });
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * Crop, flip and bilinear resize of a batch, each image with its own box, with or without
 * antialias, as two batched matrix products with per-image interpolation weights. The one
 * definition behind `@simclr/augment`'s crops (`resizedCrop`, the views) and `@simclr/eval`'s
 * feature-extraction resize.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** A crop box in pixels: `[top, left, height, width]`, as torchvision's `crop`. */
export type Box = readonly [number, number, number, number];

/**
 * Writes the interpolation weights of one image along one axis into `matrix` (row-major
 * `[out, size]`, zero elsewhere): output `o` is `sum_i matrix[o, i] * x[i]` over the image's
 * pixels `i`. Crop pixel `j` is image pixel `start + j` (its mirror `size - 1 - start - j` when
 * `mirror`); outside the image it is zero (torchvision's `crop` pads with 0), so its weight is
 * dropped (it still counts in the antialiased normalisation, as the padded crop's pixel does).
 *
 * Without antialias: PyTorch's `upsample_bilinear2d` (align_corners=False), crop pixels `i0`,
 * `i1` with weights `1 - l`, `l`, where `src = max((o + 0.5) * in / out - 0.5, 0)`,
 * `i0 = floor(src)`, `i1 = min(i0 + 1, in - 1)`, `l = src - i0`.
 *
 * With antialias: PyTorch's `_upsample_bilinear2d_aa`, which is PIL's `ImagingResample`
 * bilinear filter: with `scale = in / out`, the triangle `max(0, 1 - |x|)` is widened by the
 * scale when shrinking (`support = max(scale, 1)`), centred on `center = scale * (o + 0.5)`,
 * evaluated at the crop pixels `j` in `[trunc(center - support + 0.5), trunc(center + support
 * + 0.5))` (clipped to the crop) as `filter((j - center + 0.5) / max(scale, 1))`, and
 * normalised to sum 1. Float32 throughout, as PyTorch's kernel on float tensors.
 */
function axisWeights(
  start: number,
  length: number,
  out: number,
  size: number,
  mirror: boolean,
  antialias: boolean,
  matrix: Float32Array,
  offset: number,
): void {
  const f = Math.fround;
  const scale = f(length / out);
  const put = (o: number, j: number, w: number) => {
    const a = start + j;
    if (a < 0 || a >= size || w === 0) return;
    matrix[offset + o * size + (mirror ? size - 1 - a : a)] += w;
  };
  if (!antialias) {
    for (let o = 0; o < out; o++) {
      const src = Math.max(f(f(scale * (o + 0.5)) - 0.5), 0);
      const i0 = Math.floor(src);
      const i1 = i0 < length - 1 ? i0 + 1 : i0;
      const l1 = f(src - i0);
      put(o, i0, f(1 - l1));
      put(o, i1, l1);
    }
    return;
  }
  const support = scale >= 1 ? scale : 1;
  const invScale = scale >= 1 ? f(1 / scale) : 1;
  const taps = new Float32Array(Math.ceil(support) * 2 + 2);
  for (let o = 0; o < out; o++) {
    const center = f(scale * f(o + 0.5));
    const min = Math.max(Math.trunc(f(f(center - support) + 0.5)), 0);
    const count = Math.min(Math.trunc(f(f(center + support) + 0.5)), length) - min;
    let total = 0;
    for (let j = 0; j < count; j++) {
      const x = Math.abs(f(f(f((j + min) - center) + 0.5) * invScale));
      taps[j] = x < 1 ? f(1 - x) : 0;
      total = f(total + taps[j]);
    }
    for (let j = 0; j < count; j++) put(o, min + j, total !== 0 ? f(taps[j] / total) : taps[j]);
  }
}

/** Options of {@linkcode cropResize}. */
export interface CropResizeOptions {
  /** Mirror image `b` horizontally before cropping when `mirror[b]`. */
  mirror?: readonly boolean[];
  /** Antialias when shrinking, as PIL and torchvision's `antialias=True` (default false). */
  antialias?: boolean;
}

/**
 * Crops `boxes[b]` out of image `b` (zero outside the image) and resizes it to
 * `[outHeight, outWidth]` bilinearly as torchvision's `resized_crop` on tensors, with or
 * without antialias (PyTorch's `upsample_bilinear2d` or `_upsample_bilinear2d_aa`, the latter
 * PIL's bilinear filter: the triangle widened by the scale when shrinking). Crop, flip and
 * resize of the whole batch are two batched matrix products with per-image weights: rows
 * `[B, outH, H] x [B, H, W*C]`, then the columns of the transposed result
 * `[B, outW, W] x [B, W, outH*C]`. Arguments are not checked (the callers check them).
 *
 * @param images NHWC float32 images `[B, H, W, C]`.
 * @param boxes One integer box `[top, left, height, width]` per image.
 * @param outHeight Output height.
 * @param outWidth Output width.
 * @param options Per-image horizontal mirroring and antialias (default false).
 * @returns The crops `[B, outHeight, outWidth, C]`.
 *
 * @example Shrinking a 1x4 row [1, 0, 0, 1] to one pixel
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { cropResize } from "@simclr/internal/crop-resize";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const row = tf.tensor4d([1, 0, 0, 1], [1, 1, 4, 1]);
 * // Bilinear reads the middle two pixels; the antialiased filter all four (5, 7, 7, 5 / 24).
 * const plain = cropResize(row, [[0, 0, 1, 4]], 1, 1);
 * const smooth = cropResize(row, [[0, 0, 1, 4]], 1, 1, { antialias: true });
 * assert.equal(plain.dataSync()[0], 0);
 * assert(Math.abs(smooth.dataSync()[0] - 10 / 24) < 1e-6);
 * tf.dispose([row, plain, smooth]);
 * ```
 */
export function cropResize(
  images: tf.Tensor4D,
  boxes: readonly Box[],
  outHeight: number,
  outWidth: number,
  options: CropResizeOptions = {},
): tf.Tensor4D {
  const { mirror, antialias = false } = options;
  const [b, height, width, c] = images.shape;
  const rowWeights = new Float32Array(b * outHeight * height);
  const columnWeights = new Float32Array(b * outWidth * width);
  for (let i = 0; i < b; i++) {
    const [top, left, h, w] = boxes[i];
    axisWeights(top, h, outHeight, height, false, antialias, rowWeights, i * outHeight * height);
    axisWeights(
      left,
      w,
      outWidth,
      width,
      mirror?.[i] ?? false,
      antialias,
      columnWeights,
      i * outWidth * width,
    );
  }
  return tf.tidy(() => {
    // rows: [B, outH, H] x [B, H, W*C] -> [B, outH, W*C]
    const rows = tf.matMul(
      tf.tensor3d(rowWeights, [b, outHeight, height]),
      tf.reshape(images, [b, height, width * c]) as tf.Tensor3D,
    );
    // columns: [B, outH, W, C] -> [B, W, outH*C]; [B, outW, W] x that -> [B, outW, outH*C]
    const transposed = tf.transpose(tf.reshape(rows, [b, outHeight, width, c]), [0, 2, 1, 3]);
    const columns = tf.matMul(
      tf.tensor3d(columnWeights, [b, outWidth, width]),
      tf.reshape(transposed, [b, width, outHeight * c]) as tf.Tensor3D,
    );
    return tf.transpose(tf.reshape(columns, [b, outWidth, outHeight, c]), [0, 2, 1, 3]);
  });
}

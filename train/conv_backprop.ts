// Copyright 2026 the simclr authors. MIT license.
/**
 * Convolution gradients written as forward convolutions and matrix products, so that a backend
 * with a fast forward `Conv2D` (wasm's XNNPACK, WebGPU) or a fast `BatchMatMul` trains fast.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Padding of a 2-D convolution as tfjs accepts it (NHWC explicit form for arrays). */
export type Conv2DPadding =
  | "valid"
  | "same"
  | number
  | [[number, number], [number, number], [number, number], [number, number]];

type Pair = [number, number];
type Shape4 = [number, number, number, number];
type Rounding = "floor" | "round" | "ceil" | undefined;

/** Forward convolution used by the gradient formulas: NHWC input, HWIO filter, explicit pads. */
export type ForwardConv = (
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  pads: { top: number; bottom: number; left: number; right: number },
  dilations: Pair,
) => tf.Tensor4D;

/** `tf.conv2d` with stride 1, the given explicit padding and dilations. */
export const tfConv: ForwardConv = (x, filter, p, dilations) =>
  tf.conv2d(
    x,
    filter,
    1,
    [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]],
    "NHWC",
    dilations,
  );

function info(
  xShape: Shape4,
  filterShape: Shape4,
  strides: number | Pair,
  pad: Conv2DPadding,
  rounding: Rounding,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    1,
    pad,
    rounding,
    false,
    "channelsLast",
  );
}

/**
 * Crops (negative amounts) then pads (positive amounts) the spatial axes of an NHWC tensor:
 * returns the tensor and the non-negative padding still to apply by the convolution.
 */
function cropForPads(
  x: tf.Tensor4D,
  p: { top: number; bottom: number; left: number; right: number },
): [tf.Tensor4D, { top: number; bottom: number; left: number; right: number }] {
  const [n, h, w, c] = x.shape;
  const ct = Math.max(0, -p.top), cb = Math.max(0, -p.bottom);
  const cl = Math.max(0, -p.left), cr = Math.max(0, -p.right);
  const cropped = ct + cb + cl + cr > 0
    ? tf.slice(x, [0, ct, cl, 0], [n, h - ct - cb, w - cl - cr, c])
    : x;
  return [cropped, {
    top: Math.max(0, p.top),
    bottom: Math.max(0, p.bottom),
    left: Math.max(0, p.left),
    right: Math.max(0, p.right),
  }];
}

/**
 * Gradient of `conv2d(x, filter)` with respect to the filter, as one forward convolution:
 * the input transposed to `[C, H, W, N]` convolved with the output gradient transposed to
 * `[OH, OW, N, O]` (a filter), dilated by the stride.
 *
 * @param x The convolution's input, NHWC `[N, H, W, C]`.
 * @param dy The gradient of the convolution's output, `[N, OH, OW, O]`.
 * @param filterShape The filter's shape `[KH, KW, C, O]`.
 * @param strides The convolution's strides.
 * @param pad The convolution's padding.
 * @param dimRoundingMode The convolution's rounding mode for numeric padding.
 * @param conv The forward convolution to run (default `tf.conv2d`).
 * @returns The filter gradient, `[KH, KW, C, O]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { conv2dFilterGradient } from "./conv_backprop.ts";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const dy = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const dw = conv2dFilterGradient(x, dy, [3, 3, 1, 1], 1, "same");
 * console.log(dw.shape); // [3, 3, 1, 1], centre tap 9
 * ```
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number | Pair,
  pad: Conv2DPadding,
  dimRoundingMode?: Rounding,
  conv: ForwardConv = tfConv,
): tf.Tensor4D {
  const ci = info(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, c, o] = filterShape;
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [C, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, O]
    const { top, bottom, left, right } = ci.padInfo;
    // [C, KH', KW', O] with KH' >= KH (rows past the last window are cut below)
    const out = conv(xT, dyT, { top, bottom, left, right }, [ci.strideHeight, ci.strideWidth]);
    const cut = out.shape[1] === kh && out.shape[2] === kw
      ? out
      : tf.slice(out, [0, 0, 0, 0], [c, kh, kw, o]);
    return tf.transpose(cut, [1, 2, 0, 3]); // [KH, KW, C, O]
  });
}

/**
 * Inserts `s - 1` zeros after every row/column of an NHWC tensor (the trailing zeros are kept:
 * `[N, OH * sh, OW * sw, O]`).
 */
function zeroDilate(dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return dy;
  const [n, oh, ow, o] = dy.shape;
  const d6 = tf.reshape(dy, [n, oh, 1, ow, 1, o]);
  const padded = tf.pad(d6, [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(padded, [n, oh * sh, ow * sw, o]); // [N, OH*sh, OW*sw, O]
}

/**
 * Gradient of `conv2d(x, filter)` with respect to its input, as one forward convolution of
 * the zero-dilated output gradient with the spatially flipped, in/out-swapped filter.
 *
 * @param xShape The convolution's input shape `[N, H, W, C]`.
 * @param dy The gradient of the convolution's output, `[N, OH, OW, O]`.
 * @param filter The convolution's filter, `[KH, KW, C, O]`.
 * @param strides The convolution's strides.
 * @param pad The convolution's padding.
 * @param dimRoundingMode The convolution's rounding mode for numeric padding.
 * @param conv The forward convolution to run (default `tf.conv2d`).
 * @returns The input gradient, `[N, H, W, C]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { conv2dInputGradient } from "./conv_backprop.ts";
 * await tf.setBackend("cpu");
 * const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
 * const dx = conv2dInputGradient([1, 4, 4, 1], dy, w, 2, "same");
 * console.log(dx.shape); // [1, 4, 4, 1]
 * ```
 */
export function conv2dInputGradient(
  xShape: Shape4,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | Pair,
  pad: Conv2DPadding,
  dimRoundingMode?: Rounding,
  conv: ForwardConv = tfConv,
): tf.Tensor4D {
  const ci = info(xShape, filter.shape, strides, pad, dimRoundingMode);
  const [kh, kw] = filter.shape;
  const [sh, sw] = [ci.strideHeight, ci.strideWidth];
  const [, h, w] = xShape;
  const [, oh, ow] = dy.shape;
  const { top, left } = ci.padInfo;
  return tf.tidy(() => {
    const dd = zeroDilate(dy, sh, sw); // [N, OH*sh, OW*sw, O]
    // [KH, KW, C, O] -> flipped [KH, KW, O, C]
    const wf = tf.reverse(tf.transpose(filter, [0, 1, 3, 2]), [0, 1]);
    // the dilated gradient is (OH - 1) * sh + 1 long plus sh - 1 trailing zeros
    const [src, pads] = cropForPads(dd, {
      top: kh - 1 - top,
      bottom: h - (oh - 1) * sh - 1 + top - (sh - 1),
      left: kw - 1 - left,
      right: w - (ow - 1) * sw - 1 + left - (sw - 1),
    });
    return conv(src, wf as tf.Tensor4D, pads, [1, 1]);
  });
}

/**
 * Patches of an NHWC tensor as rows of a matrix (im2col):
 * `[N * OH * OW, KH * KW * C]`, columns ordered `(kh, kw, c)` like a reshaped HWIO filter.
 */
export function im2col(
  x: tf.Tensor4D,
  ci: tf.backend_util.Conv2DInfo,
): tf.Tensor2D {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = ci;
  const { dilationHeight: dh, dilationWidth: dw } = ci;
  const { outHeight: oh, outWidth: ow, padInfo } = ci;
  const [n, , , c] = x.shape;
  return tf.tidy(() => {
    const xp = padInfo.top + padInfo.bottom + padInfo.left + padInfo.right > 0
      ? tf.pad(x, [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]])
      : x;
    if (kh === 1 && kw === 1 && sh === 1 && sw === 1) {
      return tf.reshape(xp, [n * oh * ow, c]);
    }
    const taps: tf.Tensor4D[] = [];
    for (let i = 0; i < kh; i++) {
      for (let j = 0; j < kw; j++) {
        const r0 = i * dh, c0 = j * dw;
        taps.push(
          tf.stridedSlice(
            xp,
            [0, r0, c0, 0],
            [n, r0 + (oh - 1) * sh + 1, c0 + (ow - 1) * sw + 1, c],
            [1, sh, sw, 1],
          ) as tf.Tensor4D, // [N, OH, OW, C]
        );
      }
    }
    const cols = taps.length === 1 ? taps[0] : tf.concat(taps, 3); // [N, OH, OW, KH*KW*C]
    return tf.reshape(cols, [n * oh * ow, kh * kw * c]);
  });
}

/**
 * `conv2d` as im2col and one matrix product (any strides, dilations and padding).
 *
 * @param x Input, NHWC.
 * @param filter Filter, HWIO.
 * @param strides Strides.
 * @param pad Padding.
 * @param dilations Dilations.
 * @param dimRoundingMode Rounding mode for numeric padding.
 * @returns The convolution, `[N, OH, OW, O]`.
 */
export function conv2dIm2col(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | Pair,
  pad: Conv2DPadding,
  dilations: number | Pair = 1,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const ci = tf.backend_util.computeConv2DInfo(
    x.shape,
    filter.shape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    "channelsLast",
  );
  const [kh, kw, c, o] = filter.shape;
  return tf.tidy(() => {
    const cols = im2col(x, ci); // [N*OH*OW, KH*KW*C]
    const y = tf.matMul(cols, tf.reshape(filter, [kh * kw * c, o])); // [N*OH*OW, O]
    return tf.reshape(y, [x.shape[0], ci.outHeight, ci.outWidth, o]);
  });
}

/** {@linkcode ForwardConv} through {@linkcode conv2dIm2col}. */
export const im2colConv: ForwardConv = (x, filter, p, dilations) =>
  conv2dIm2col(x, filter, 1, [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]], dilations);

/**
 * Filter gradient as im2col(x)ᵀ · dy: one matrix product (the `cpu` backend's fast path).
 *
 * @param x The convolution's input, NHWC.
 * @param dy The gradient of the output, `[N, OH, OW, O]`.
 * @param filterShape `[KH, KW, C, O]`.
 * @param strides Strides.
 * @param pad Padding.
 * @param dimRoundingMode Rounding mode for numeric padding.
 * @returns The filter gradient, `[KH, KW, C, O]`.
 */
export function conv2dFilterGradientIm2col(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4,
  strides: number | Pair,
  pad: Conv2DPadding,
  dimRoundingMode?: Rounding,
): tf.Tensor4D {
  const ci = info(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, c, o] = filterShape;
  return tf.tidy(() => {
    const cols = im2col(x, ci); // [M, KH*KW*C], M = N*OH*OW
    const g = tf.reshape(dy, [-1, o]); // [M, O]
    const dw = tf.matMul(cols, g, true, false); // [KH*KW*C, O]
    return tf.reshape(dw, [kh, kw, c, o]);
  });
}

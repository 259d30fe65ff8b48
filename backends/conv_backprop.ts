// Copyright 2026 the simclr authors. MIT license.
/**
 * Convolution gradients written as forward convolutions, so that a backend with a fast forward
 * `Conv2D` (wasm's XNNPACK) but no or slow backprop kernels trains fast.
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

/** A 4-D shape: NHWC for images, `[KH, KW, C, O]` (HWIO) for filters. */
export type Shape4D = [number, number, number, number];
/** How output sizes are rounded when `pad` is a number (as tfjs' `dimRoundingMode`). */
export type DimRoundingMode = "floor" | "round" | "ceil";

function info(
  xShape: Shape4D,
  filterShape: Shape4D,
  strides: number | [number, number],
  pad: Conv2DPadding,
  rounding: DimRoundingMode | undefined,
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
 * @returns The filter gradient, `[KH, KW, C, O]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { conv2dFilterGradient } from "@simclr/backends";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const dy = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const dw = conv2dFilterGradient(x, dy, [3, 3, 1, 1], 1, "same");
 * // each tap sees the output positions whose window covers it: 4 at corners, 9 at the centre
 * assert.deepEqual(Array.from(dw.dataSync()), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
 * ```
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: Shape4D,
  strides: number | [number, number],
  pad: Conv2DPadding,
  dimRoundingMode?: DimRoundingMode,
): tf.Tensor4D {
  const ci = info(x.shape, filterShape, strides, pad, dimRoundingMode);
  const [kh, kw, c, o] = filterShape;
  return tf.tidy(() => {
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [C, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [OH, OW, N, O]
    const { top, bottom, left, right } = ci.padInfo;
    // [C, KH', KW', O] with KH' >= KH (rows past the last window are cut below)
    const out = tf.conv2d(xT, dyT, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], "NHWC", [
      ci.strideHeight,
      ci.strideWidth,
    ]);
    const cut = out.shape[1] === kh && out.shape[2] === kw
      ? out
      : tf.slice(out, [0, 0, 0, 0], [c, kh, kw, o]);
    return tf.transpose(cut, [1, 2, 0, 3]); // [KH, KW, C, O]
  });
}

/**
 * The filter rotated by 180 degrees with input and output channels swapped:
 * `[KH, KW, C, O]` -> `[KH, KW, O, C]`. The flattened taps are reversed by a permutation matrix
 * (wasm's `Reverse` and `GatherV2` kernels are slow scalar loops, its matrix product is not).
 */
function flipFilter(filter: tf.Tensor4D): tf.Tensor4D {
  const [kh, kw, c, o] = filter.shape;
  const swapped = tf.transpose(filter, [0, 1, 3, 2]); // [KH, KW, O, C]
  if (kh * kw === 1) return swapped;
  const k = kh * kw;
  const taps = tf.reshape(swapped, [k, o * c]); // [KH*KW, O*C]
  // the anti-identity permutes the taps exactly (one product by 1 per output)
  const anti = tf.reverse(tf.eye(k), 1) as tf.Tensor2D; // [KH*KW, KH*KW]
  return tf.reshape(tf.matMul(anti, taps), [kh, kw, o, c]);
}

/**
 * Gradient of `conv2d(x, filter)` with respect to its input, as forward convolutions of the
 * output gradient with the spatially flipped, in/out-swapped filter: one for stride 1, one per
 * phase of the stride (sub-kernels, interleaved afterwards) otherwise.
 *
 * @param xShape The convolution's input shape `[N, H, W, C]`.
 * @param dy The gradient of the convolution's output, `[N, OH, OW, O]`.
 * @param filter The convolution's filter, `[KH, KW, C, O]`.
 * @param strides The convolution's strides.
 * @param pad The convolution's padding.
 * @param dimRoundingMode The convolution's rounding mode for numeric padding.
 * @returns The input gradient, `[N, H, W, C]`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { conv2dInputGradient } from "@simclr/backends";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const dy = tf.ones([1, 2, 2, 1]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
 * const dx = conv2dInputGradient([1, 4, 4, 1], dy, w, 2, "same");
 * // "same" with stride 2 on 4 px pads only after: windows start at 0 and 2
 * assert.deepEqual(Array.from(dx.dataSync()), [1, 1, 2, 1, 1, 1, 2, 1, 2, 2, 4, 2, 1, 1, 2, 1]);
 * ```
 */
export function conv2dInputGradient(
  xShape: Shape4D,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: Conv2DPadding,
  dimRoundingMode?: DimRoundingMode,
): tf.Tensor4D {
  const ci = info(xShape, filter.shape, strides, pad, dimRoundingMode);
  const [kh, kw] = filter.shape;
  const [sh, sw] = [ci.strideHeight, ci.strideWidth];
  const [, h, w] = xShape;
  const [, oh, ow] = dy.shape;
  const { top, left } = ci.padInfo;
  if (sh > 1 || sw > 1) return polyphaseInputGradient(xShape, dy, filter, sh, sw, top, left);
  return tf.tidy(() => {
    const wf = flipFilter(filter); // [KH, KW, O, C]
    const [src, pads] = cropForPads(dy, {
      top: kh - 1 - top,
      bottom: h - oh + top,
      left: kw - 1 - left,
      right: w - ow + left,
    });
    const { top: pt, bottom: pb, left: pl, right: pr } = pads;
    return tf.conv2d(src, wf, 1, [[0, 0], [pt, pb], [pl, pr], [0, 0]]);
  });
}

/**
 * Input gradient of a strided convolution without multiplying zeros: output rows (columns)
 * `h` with `(h + top) % s == r` only meet the taps `r, r + s, r + 2s, ...`, so each of the
 * `sh * sw` phases is a stride-1 convolution of the output gradient with a sub-kernel, and the
 * phases are interleaved (depth-to-space) at the end. Same cost as the forward convolution,
 * where convolving the zero-dilated gradient costs `sh * sw` times more.
 */
function polyphaseInputGradient(
  xShape: Shape4D,
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  sh: number,
  sw: number,
  top: number,
  left: number,
): tf.Tensor4D {
  const [kh, kw, c, o] = filter.shape;
  const [n, h, w] = xShape;
  const [, oh, ow] = dy.shape;
  const qh = Math.ceil((h + top) / sh), qw = Math.ceil((w + left) / sw);
  return tf.tidy(() => {
    const taps = tf.reshape(tf.transpose(filter, [0, 1, 3, 2]), [kh * kw, o * c]); // [KH*KW, O*C]
    const rows: tf.Tensor4D[] = [];
    for (let rh = 0; rh < sh; rh++) {
      const cols: tf.Tensor4D[] = [];
      for (let rw = 0; rw < sw; rw++) {
        const mh = Math.max(0, Math.ceil((kh - rh) / sh));
        const mw = Math.max(0, Math.ceil((kw - rw) / sw));
        if (mh === 0 || mw === 0) {
          cols.push(tf.zeros([n, qh, qw, c]));
          continue;
        }
        // sub-kernel: taps (rh + sh * (mh - 1 - a), rw + sw * (mw - 1 - b)), flipped, by a
        // selection matrix (an exact gather; wasm's Gather/Reverse kernels are slow)
        const select = new Float32Array(mh * mw * kh * kw);
        for (let a = 0; a < mh; a++) {
          for (let b = 0; b < mw; b++) {
            const tap = (rh + sh * (mh - 1 - a)) * kw + (rw + sw * (mw - 1 - b));
            select[(a * mw + b) * kh * kw + tap] = 1;
          }
        }
        const sub = tf.reshape(
          tf.matMul(tf.tensor2d(select, [mh * mw, kh * kw]), taps),
          [mh, mw, o, c],
        ) as tf.Tensor4D; // [MH, MW, O, C]
        const [src, pads] = cropForPads(dy, {
          top: mh - 1,
          bottom: qh - oh,
          left: mw - 1,
          right: qw - ow,
        });
        const { top: pt, bottom: pb, left: pl, right: pr } = pads;
        cols.push(tf.conv2d(src, sub, 1, [[0, 0], [pt, pb], [pl, pr], [0, 0]])); // [N, QH, QW, C]
      }
      rows.push(tf.stack(cols, 3) as tf.Tensor4D); // [N, QH, QW, sw, C]
    }
    const grid = tf.reshape(tf.stack(rows, 2), [n, qh * sh, qw * sw, c]); // [N, QH*sh, QW*sw, C]
    return tf.slice(grid, [0, top, left, 0], [n, h, w, c]) as tf.Tensor4D;
  });
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * Makes the `wasm` backend train: its missing `Conv2DBackpropFilter` kernel (and a faster
 * `Conv2DBackpropInput`) as forward convolutions on its own XNNPACK `Conv2D`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { conv2dFilterGradient, conv2dInputGradient, type Conv2DPadding } from "./conv_backprop.ts";
import { opKernel } from "./_op_kernel.ts";

type Shape4 = [number, number, number, number];
type Rounding = "floor" | "round" | "ceil" | undefined;

interface BackpropAttrs {
  strides: number | [number, number];
  pad: Conv2DPadding;
  dataFormat?: "NHWC" | "NCHW";
  dimRoundingMode?: Rounding;
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function checkLayout(kernel: string, attrs: BackpropAttrs): void {
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== "NHWC") {
    throw new RangeError(
      argumentMessage(
        `${kernel}()`,
        `attrs.dataFormat is ${show(attrs.dataFormat)}`,
        '"NHWC" (fast convolution gradients)',
      ),
    );
  }
}

/**
 * The kernels registered for one backend by {@linkcode registerFastConvGradients}. On webgpu
 * only the filter gradient: its own is a naive kernel (one thread per weight looping over the
 * whole batch), while its input-gradient kernels measured faster than the op composition
 * (tools/bench_conv_gradients.ts).
 */
function fastKernels(backendName: string): tf.KernelConfig[] {
  const kernels = [
    opKernel("Conv2DBackpropFilter", backendName, (inputs, attrs) => {
      const a = attrs as unknown as BackpropAttrs;
      checkLayout("Conv2DBackpropFilter", a);
      const x = inputs.x as tf.Tensor4D, dy = inputs.dy as tf.Tensor4D;
      const filterShape = a.filterShape as Shape4;
      const gradient = (x: tf.Tensor4D, dy: tf.Tensor4D) =>
        conv2dFilterGradient(x, dy, filterShape, a.strides, a.pad, a.dimRoundingMode);
      if (backendName !== "webgpu") return gradient(x, dy);
      return sumOverBatchChunks(x, dy, webgpuFilterGradientChunk(filterShape, dy.shape), gradient);
    }),
    opKernel("Conv2DBackpropInput", backendName, (inputs, attrs) => {
      const a = attrs as unknown as BackpropAttrs;
      checkLayout("Conv2DBackpropInput", a);
      return conv2dInputGradient(
        a.inputShape as Shape4,
        inputs.dy as tf.Tensor4D,
        inputs.filter as tf.Tensor4D,
        a.strides,
        a.pad,
        a.dimRoundingMode,
      );
    }),
  ];
  return backendName === "webgpu" ? kernels.slice(0, 1) : kernels;
}

/**
 * Images per chunk of webgpu's filter gradient. Its forward convolution reduces over the
 * whole batch (`[C, H, W, N]` against `[OH, OW, N, O]`): at large batches its inner dimension
 * outgrows what one dispatch may hold (measured on llvmpipe: 1,200 images of 64 x 64 x 3
 * came back as zeros, without an error), so the batch is summed in chunks of at most
 * {@linkcode WEBGPU_FILTER_GRADIENT_BYTES} of unrolled patches (`C * KH * KW * OH * OW`
 * values per image).
 */
function webgpuFilterGradientChunk(filterShape: Shape4, dyShape: number[]): number {
  const [kh, kw, c] = filterShape;
  const [, oh, ow] = dyShape;
  return Math.max(1, Math.floor(WEBGPU_FILTER_GRADIENT_BYTES / (4 * c * kh * kw * oh * ow)));
}

/** The largest unrolled-patch matrix one chunk of webgpu's filter gradient may span (64 MiB). */
const WEBGPU_FILTER_GRADIENT_BYTES = 64 * 2 ** 20;

/** `gradient(x, dy)` summed over chunks of at most `chunk` images (the whole batch when it fits). */
function sumOverBatchChunks(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  chunk: number,
  gradient: (x: tf.Tensor4D, dy: tf.Tensor4D) => tf.Tensor4D,
): tf.Tensor4D {
  const n = x.shape[0];
  if (n <= chunk) return gradient(x, dy);
  let sum: tf.Tensor4D | null = null;
  for (let start = 0; start < n; start += chunk) {
    const count = Math.min(chunk, n - start);
    const part = gradient(
      tf.slice(x, [start, 0, 0, 0], [count, -1, -1, -1]),
      tf.slice(dy, [start, 0, 0, 0], [count, -1, -1, -1]),
    );
    sum = sum === null ? part : tf.add(sum, part);
  }
  return sum!;
}

/** Our kernels per backend (stable identities) and the stock ones they replaced. */
const installed = new Map<string, { ours: tf.KernelConfig; stock?: tf.KernelConfig }[]>();

/**
 * Registers convolution-gradient kernels built from forward convolutions for the given
 * backends (default `["wasm"]`): `Conv2DBackpropFilter` (which `wasm` lacks, so it cannot
 * train without this) and `Conv2DBackpropInput`. The filter gradient is a forward convolution
 * of the input transposed to `[C, H, W, N]` with the output gradient transposed to
 * `[OH, OW, N, O]` and dilated by the stride; the input gradient is a forward convolution of
 * the output gradient with the flipped filter (one per stride phase, with sub-kernels, for
 * strided convolutions). Being kernels, they serve every path that differentiates a
 * convolution: `tf.conv2d`'s registered gradient and the custom gradient of `tf.fused.conv2d`
 * (`tf.layers.conv2d`) alike. Call it after importing the backend's package (importing it
 * registers the stock kernels again, over these); calling it again re-installs whatever was
 * replaced and is otherwise a no-op. The backend need not be initialised yet. Undo with
 * {@linkcode unregisterFastConvGradients}.
 *
 * @param backends Backend names to register for.
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerFastConvGradients } from "@simclr/backends";
 * import assert from "node:assert/strict";
 * registerFastConvGradients();
 * await tf.setBackend("wasm");
 * const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const w = tf.ones([3, 3, 1, 1]) as tf.Tensor4D;
 * // without the registration wasm throws: no Conv2DBackpropFilter kernel
 * const dw = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, 1, "same").sum())(w);
 * assert.deepEqual(Array.from(dw.dataSync()), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
 * ```
 */
export function registerFastConvGradients(backends: string[] = ["wasm"]): void {
  for (const [i, backendName] of backends.entries()) {
    if (typeof backendName !== "string" || backendName === "") {
      throw new TypeError(
        argumentMessage(
          "registerFastConvGradients()",
          `backends[${i}] is ${show(backendName)}`,
          'a backend name such as "wasm"',
        ),
      );
    }
    let entries = installed.get(backendName);
    if (entries === undefined) {
      entries = fastKernels(backendName).map((ours) => ({ ours }));
      installed.set(backendName, entries);
    }
    for (const entry of entries) {
      const current = tf.getKernel(entry.ours.kernelName, backendName);
      if (current === entry.ours) continue;
      // first install, or the backend's package was imported since and put its kernel back
      entry.stock = current;
      if (current !== undefined) tf.unregisterKernel(entry.ours.kernelName, backendName);
      tf.registerKernel(entry.ours);
    }
  }
}

/**
 * Undoes {@linkcode registerFastConvGradients}: restores the stock kernels (or removes ours
 * where the backend had none). Safe to call when nothing is registered.
 *
 * @param backends Backend names to restore (default: all registered).
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { registerFastConvGradients, unregisterFastConvGradients } from "@simclr/backends";
 * registerFastConvGradients(["wasm"]);
 * unregisterFastConvGradients();
 * ```
 */
export function unregisterFastConvGradients(backends?: string[]): void {
  for (const backendName of backends ?? [...installed.keys()]) {
    const entries = installed.get(backendName);
    if (entries === undefined) continue;
    for (const { ours, stock } of entries) {
      if (tf.getKernel(ours.kernelName, backendName) === ours) {
        tf.unregisterKernel(ours.kernelName, backendName);
        if (stock !== undefined) tf.registerKernel(stock);
      }
    }
    installed.delete(backendName);
  }
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * Fast convolution kernels for the `cpu` backend: im2col and one `BatchMatMul` per
 * convolution, forward and backward, in place of its direct loops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  conv2dFilterGradientIm2col,
  conv2dIm2col,
  conv2dInputGradient,
  type Conv2DPadding,
  im2colConv,
} from "./conv_backprop.ts";
import { opKernel } from "./op_kernel.ts";

type Shape4 = [number, number, number, number];
type Rounding = "floor" | "round" | "ceil" | undefined;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Conv2DPadding;
  dataFormat?: "NHWC" | "NCHW";
  dilations?: number | [number, number];
  dimRoundingMode?: Rounding;
  filterShape?: Shape4;
  inputShape?: Shape4;
}

function attrsOf(kernel: string, attrs: tf.NamedAttrMap): ConvAttrs {
  const a = attrs as unknown as ConvAttrs;
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new RangeError(
      `${kernel}: dataFormat was "${a.dataFormat}", expected "NHWC" (fast cpu convolutions)`,
    );
  }
  return a;
}

const CPU_KERNELS: tf.KernelConfig[] = [
  opKernel("Conv2D", "cpu", (inputs, attrs) => {
    const a = attrsOf("Conv2D", attrs);
    return conv2dIm2col(
      inputs.x as tf.Tensor4D,
      inputs.filter as tf.Tensor4D,
      a.strides,
      a.pad,
      a.dilations ?? 1,
      a.dimRoundingMode,
    );
  }),
  opKernel("Conv2DBackpropFilter", "cpu", (inputs, attrs) => {
    const a = attrsOf("Conv2DBackpropFilter", attrs);
    return conv2dFilterGradientIm2col(
      inputs.x as tf.Tensor4D,
      inputs.dy as tf.Tensor4D,
      a.filterShape as Shape4,
      a.strides,
      a.pad,
      a.dimRoundingMode,
    );
  }),
  opKernel("Conv2DBackpropInput", "cpu", (inputs, attrs) => {
    const a = attrsOf("Conv2DBackpropInput", attrs);
    return conv2dInputGradient(
      a.inputShape as Shape4,
      inputs.dy as tf.Tensor4D,
      inputs.filter as tf.Tensor4D,
      a.strides,
      a.pad,
      a.dimRoundingMode,
      im2colConv,
    );
  }),
];

let stock: (tf.KernelConfig | undefined)[] | undefined;

/**
 * Replaces the `cpu` backend's `Conv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput`
 * kernels by im2col + matrix-product versions (its `BatchMatMul` is blocked and far faster
 * than its direct convolution loops). Idempotent; undo with
 * {@linkcode unregisterFastCpuKernels}. Import `@tensorflow/tfjs-backend-cpu` (or the
 * umbrella package) first, so the stock kernels are there to be replaced and restored.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { registerFastCpuKernels } from "./cpu_conv_kernels.ts";
 * registerFastCpuKernels();
 * await tf.setBackend("cpu");
 * const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, "same");
 * console.log(y.shape); // [1, 4, 4, 1]
 * ```
 */
export function registerFastCpuKernels(): void {
  if (stock !== undefined) return;
  stock = CPU_KERNELS.map((k) => {
    const old = tf.getKernel(k.kernelName, "cpu");
    if (old !== undefined) tf.unregisterKernel(k.kernelName, "cpu");
    tf.registerKernel(k);
    return old;
  });
}

/**
 * Restores the `cpu` kernels replaced by {@linkcode registerFastCpuKernels}. Safe to call
 * when nothing is registered.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { registerFastCpuKernels, unregisterFastCpuKernels } from "./cpu_conv_kernels.ts";
 * registerFastCpuKernels();
 * unregisterFastCpuKernels();
 * ```
 */
export function unregisterFastCpuKernels(): void {
  if (stock === undefined) return;
  CPU_KERNELS.forEach((k, i) => {
    if (tf.getKernel(k.kernelName, "cpu") === k) {
      tf.unregisterKernel(k.kernelName, "cpu");
      const old = stock?.[i];
      if (old !== undefined) tf.registerKernel(old);
    }
  });
  stock = undefined;
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * Fast convolution kernels for the `cpu` backend: im2col (col2im) and one matrix product per
 * convolution, forward and backward, in place of its strided direct loops.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import type { Conv2DPadding } from "./conv_backprop.ts";
import {
  col2imLoop,
  type ConvGeometry,
  im2colLoop,
  matMulNN,
  matMulNT,
  matMulTN,
} from "./_cpu_conv_loops.ts";

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

/** What the kernels need of the `cpu` backend (`MathBackendCPU`). */
interface CpuBackend {
  readSync(dataId: tf.DataId): tf.backend_util.BackendValues;
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function attrsOf(kernel: string, attrs: tf.NamedAttrMap | undefined): ConvAttrs {
  const a = attrs as unknown as ConvAttrs;
  if (a.dataFormat !== undefined && a.dataFormat !== "NHWC") {
    throw new RangeError(
      argumentMessage(
        `${kernel}()`,
        `attrs.dataFormat is ${show(a.dataFormat)}`,
        '"NHWC" (fast cpu convolutions)',
      ),
    );
  }
  return a;
}

function geometry(xShape: number[], filterShape: number[], a: ConvAttrs): ConvGeometry {
  const ci = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    false,
    "channelsLast",
  );
  return {
    n: ci.batchSize,
    h: ci.inHeight,
    w: ci.inWidth,
    c: ci.inChannels,
    kh: ci.filterHeight,
    kw: ci.filterWidth,
    o: ci.outChannels,
    sh: ci.strideHeight,
    sw: ci.strideWidth,
    dh: ci.dilationHeight,
    dw: ci.dilationWidth,
    top: ci.padInfo.top,
    left: ci.padInfo.left,
    oh: ci.outHeight,
    ow: ci.outWidth,
  };
}

/** True when the patches are the input itself (1x1, stride 1, no padding). */
function isPointwise(g: ConvGeometry): boolean {
  return g.kh === 1 && g.kw === 1 && g.sh === 1 && g.sw === 1 && g.top === 0 && g.left === 0 &&
    g.oh === g.h && g.ow === g.w;
}

function values(
  backend: CpuBackend,
  t: tf.TensorInfo,
  kernel: string,
  name: string,
): Float32Array {
  const v = backend.readSync(t.dataId);
  if (!(v instanceof Float32Array)) {
    throw new TypeError(argumentMessage(`${kernel}()`, `${name} has dtype ${t.dtype}`, "float32"));
  }
  return v;
}

function patches(x: Float32Array, g: ConvGeometry): Float32Array {
  return isPointwise(g) ? x : im2colLoop(x, g);
}

const CPU_KERNELS: tf.KernelConfig[] = [
  {
    kernelName: "Conv2D",
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const { x, filter } = inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
      const g = geometry(x.shape, filter.shape, attrsOf("Conv2D", attrs));
      const m = g.n * g.oh * g.ow, k = g.kh * g.kw * g.c;
      const cols = patches(values(cpu, x, "Conv2D", "x"), g); // [M, KH*KW*C]
      const y = matMulNN(cols, values(cpu, filter, "Conv2D", "filter"), m, k, g.o); // [M, O]
      return cpu.makeTensorInfo([g.n, g.oh, g.ow, g.o], "float32", y);
    },
  },
  {
    kernelName: "Conv2DBackpropFilter",
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const a = attrsOf("Conv2DBackpropFilter", attrs);
      const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const g = geometry(x.shape, a.filterShape as Shape4, a);
      const m = g.n * g.oh * g.ow, k = g.kh * g.kw * g.c;
      const cols = patches(values(cpu, x, "Conv2DBackpropFilter", "x"), g); // [M, KH*KW*C]
      const dw = matMulTN(cols, values(cpu, dy, "Conv2DBackpropFilter", "dy"), m, k, g.o); // [K, O]
      return cpu.makeTensorInfo([g.kh, g.kw, g.c, g.o], "float32", dw);
    },
  },
  {
    kernelName: "Conv2DBackpropInput",
    backendName: "cpu",
    kernelFunc: ({ inputs, backend, attrs }) => {
      const cpu = backend as unknown as CpuBackend;
      const a = attrsOf("Conv2DBackpropInput", attrs);
      const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
      const g = geometry(a.inputShape as Shape4, filter.shape, a);
      const m = g.n * g.oh * g.ow, k = g.kh * g.kw * g.c;
      const dv = values(cpu, dy, "Conv2DBackpropInput", "dy");
      const dcols = matMulNT(dv, values(cpu, filter, "Conv2DBackpropInput", "filter"), m, g.o, k); // [M, K]
      const dx = isPointwise(g) ? dcols : col2imLoop(dcols, g);
      return cpu.makeTensorInfo([g.n, g.h, g.w, g.c], "float32", dx);
    },
  },
];

let stock: (tf.KernelConfig | undefined)[] | undefined;

/**
 * Replaces the `cpu` backend's `Conv2D`, `Conv2DBackpropFilter` and `Conv2DBackpropInput`
 * kernels by im2col + matrix-product versions on typed arrays: patches are copied once into
 * a contiguous matrix, the products run over contiguous rows and skip zero activations
 * (ReLU outputs), and the input gradient scatters back with col2im. Call it after importing
 * `@tensorflow/tfjs-backend-cpu` (or the umbrella package): the import registers the stock
 * kernels again; calling it again re-installs these and is otherwise a no-op. Undo with
 * {@linkcode unregisterFastCpuKernels}.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { registerFastCpuKernels } from "@simclr/backends";
 * registerFastCpuKernels();
 * await tf.setBackend("cpu");
 * import assert from "node:assert/strict";
 * const x = tf.ones([1, 3, 3, 1]) as tf.Tensor4D;
 * const y = tf.conv2d(x, tf.ones([3, 3, 1, 1]) as tf.Tensor4D, 1, "same");
 * assert.deepEqual(Array.from(y.dataSync()), [4, 6, 4, 6, 9, 6, 4, 6, 4]);
 * ```
 */
export function registerFastCpuKernels(): void {
  const replaced = stock ?? CPU_KERNELS.map(() => undefined);
  CPU_KERNELS.forEach((k, i) => {
    const current = tf.getKernel(k.kernelName, "cpu");
    if (current === k) return;
    // first install, or the cpu package was imported since and put its kernel back
    replaced[i] = current;
    if (current !== undefined) tf.unregisterKernel(k.kernelName, "cpu");
    tf.registerKernel(k);
  });
  stock = replaced;
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
 * import { registerFastCpuKernels, unregisterFastCpuKernels } from "@simclr/backends";
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

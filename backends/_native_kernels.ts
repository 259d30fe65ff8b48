// Copyright 2026 the simclr authors. MIT license.
// Internal: the native CPU backend's kernels. Each reads and writes tfjs-wasm's heap in place
// through oneDNN (./_dnnl.ts): convolutions and their gradients, max pooling and its gradient,
// matrix products, and BatchNorm's training-mode forward and backward (the custom kernels
// `SimCLRBatchNormTrain` / `SimCLRBatchNormGrad` that models/_layers.ts runs when the active
// backend has them). Shapes or attributes oneDNN is not given here (dilations, NCHW, int32,
// broadcast batches) run the wasm kernel instead. Primitives are cached by shape.
import * as tf from "@tensorflow/tfjs-core";
import { check, DNNL, type Dnnl, type Plan } from "./_dnnl.ts";

/** The parts of tfjs-wasm's backend the kernels use. */
interface WasmBackend extends tf.KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

type Shape4 = [number, number, number, number];

/** A float32 view of a tensor's bytes on the wasm heap (re-read: the heap may have grown). */
function view(backend: WasmBackend, t: tf.TensorInfo): Float32Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
  return new Float32Array(backend.wasm.HEAPU8.buffer, offset, tf.util.sizeFromShape(t.shape));
}

/** NHWC data: oneDNN's logical dims are [N, C, H, W]. */
function nchw(shape: readonly number[]): number[] {
  return [shape[0], shape[3], shape[1], shape[2]];
}

/** HWIO weights: oneDNN's logical dims are [O, I, KH, KW]. */
function oihw(shape: readonly number[]): number[] {
  return [shape[3], shape[2], shape[0], shape[1]];
}

/** The kernels for backend `name` on the opened library. */
export function nativeKernels(dnnl: Dnnl, name: string): tf.KernelConfig[] {
  const plans = new Map<string, Plan | null>();
  /** The cached plan for `key`, built once; null where oneDNN refused (the wasm kernel runs). */
  const planFor = (key: string, build: () => Plan): Plan | null => {
    let plan = plans.get(key);
    if (plan === undefined) {
      try {
        plan = build();
      } catch (error) {
        if (Deno.env.get("SIMCLR_NATIVE_DEBUG")) console.error(key, error);
        plan = null;
      }
      plans.set(key, plan);
    }
    return plan;
  };
  const wasmKernel = (kernelName: string): tf.KernelFunc => {
    const k = tf.getKernel(kernelName, "wasm");
    if (k === undefined) throw new Error(`${kernelName}: no wasm kernel to fall back on`);
    return k.kernelFunc;
  };
  const fallback = (kernelName: string, args: Parameters<tf.KernelFunc>[0]) =>
    wasmKernel(kernelName)(args) as tf.TensorInfo;
  const lib = dnnl.lib;
  const md = (dims: number[], tag: number) => dnnl.md(dims, tag);

  interface ConvGeometry {
    src: number[];
    weights: number[];
    dst: number[];
    strides: Uint8Array;
    padL: Uint8Array;
    padR: Uint8Array;
    sh: number;
    sw: number;
    /** No padding on the top and left (and none needed on the bottom and right). */
    unpadded: boolean;
    key: string;
  }
  /** The convolution's geometry, or null when it is not one oneDNN is given here. */
  const convGeometry = (
    xShape: Shape4,
    filterShape: Shape4,
    attrs: tf.NamedAttrMap,
  ): { g: ConvGeometry; outShape: Shape4 } | null => {
    const a = attrs as unknown as {
      strides: number | [number, number];
      pad: "valid" | "same" | number | number[][];
      dilations?: number | [number, number];
      dimRoundingMode?: "floor" | "round" | "ceil";
      dataFormat?: string;
    };
    if (a.dataFormat !== undefined && a.dataFormat !== "NHWC" && a.dataFormat !== "channelsLast") {
      return null;
    }
    const info = tf.backend_util.computeConv2DInfo(
      xShape,
      filterShape,
      a.strides,
      a.dilations ?? 1,
      a.pad as "valid",
      a.dimRoundingMode,
    );
    if (info.dilationHeight !== 1 || info.dilationWidth !== 1) return null;
    const { top, left } = info.padInfo;
    const outShape = info.outShape as Shape4;
    // oneDNN wants the padding that makes the output size exact: where the last rows or
    // columns are not reached (stride 2 over an even side, no padding) that is negative.
    const bottom = (outShape[1] - 1) * info.strideHeight + info.filterHeight - xShape[1] - top;
    const right = (outShape[2] - 1) * info.strideWidth + info.filterWidth - xShape[2] - left;
    const g: ConvGeometry = {
      src: nchw(xShape),
      weights: oihw(filterShape),
      dst: nchw(outShape),
      strides: dnnl.dims([info.strideHeight, info.strideWidth]),
      padL: dnnl.dims([top, left]),
      padR: dnnl.dims([bottom, right]),
      sh: info.strideHeight,
      sw: info.strideWidth,
      unpadded: top === 0 && left === 0 && bottom <= 0 && right <= 0,
      key: `${xShape}|${filterShape}|${info.strideHeight},${info.strideWidth}|` +
        `${top},${bottom},${left},${right}`,
    };
    return { g, outShape };
  };
  /** The forward convolution's primitive descriptor (the hint of both gradients). */
  const forwardPds = new Map<string, Deno.PointerValue>();
  const convForwardPd = (g: ConvGeometry): Deno.PointerValue => {
    let pd = forwardPds.get(g.key);
    if (pd === undefined) {
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_convolution_forward_desc_init(
          desc,
          DNNL.prop.forwardTraining,
          DNNL.alg.convolutionDirect,
          md(g.src, DNNL.tag.nhwc),
          md(g.weights, DNNL.tag.any),
          null,
          md(g.dst, DNNL.tag.nhwc),
          g.strides,
          g.padL,
          g.padR,
        ),
        "convolution_forward_desc_init",
      );
      pd = dnnl.primitiveDesc(desc);
      forwardPds.set(g.key, pd);
    }
    return pd;
  };

  const conv2D: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { x, filter } = args.inputs as { x: tf.TensorInfo; filter: tf.TensorInfo };
    const geometry = convGeometry(x.shape as Shape4, filter.shape as Shape4, args.attrs ?? {});
    if (geometry === null || x.dtype !== "float32") return fallback("Conv2D", args);
    const { g, outShape } = geometry;
    const plan = planFor(`Conv2D|${g.key}`, () =>
      dnnl.plan(convForwardPd(g), [
        { arg: DNNL.arg.src, md: md(g.src, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.weights, md: md(g.weights, DNNL.tag.hwio), output: false },
        { arg: DNNL.arg.dst, md: md(g.dst, DNNL.tag.nhwc), output: true },
      ]));
    if (plan === null) return fallback("Conv2D", args);
    const out = backend.makeOutput(outShape, "float32");
    plan.run([view(backend, x), view(backend, filter), view(backend, out)]);
    return out;
  };

  const conv2DBackpropInput: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { dy, filter } = args.inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const inputShape = (args.attrs as { inputShape: Shape4 }).inputShape;
    const geometry = convGeometry(inputShape, filter.shape as Shape4, args.attrs ?? {});
    if (geometry === null) return fallback("Conv2DBackpropInput", args);
    const { g } = geometry;
    const plan = planFor(`Conv2DBackpropInput|${g.key}`, () => {
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_convolution_backward_data_desc_init(
          desc,
          DNNL.alg.convolutionDirect,
          md(g.src, DNNL.tag.nhwc),
          md(g.weights, DNNL.tag.any),
          md(g.dst, DNNL.tag.nhwc),
          g.strides,
          g.padL,
          g.padR,
        ),
        "convolution_backward_data_desc_init",
      );
      return dnnl.plan(dnnl.primitiveDesc(desc, convForwardPd(g)), [
        { arg: DNNL.arg.diffDst, md: md(g.dst, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.weights, md: md(g.weights, DNNL.tag.hwio), output: false },
        { arg: DNNL.arg.diffSrc, md: md(g.src, DNNL.tag.nhwc), output: true },
      ]);
    });
    if (plan === null) return fallback("Conv2DBackpropInput", args);
    const out = backend.makeOutput(inputShape, "float32");
    plan.run([view(backend, dy), view(backend, filter), view(backend, out)]);
    return out;
  };

  const conv2DBackpropFilter: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterShape = (args.attrs as { filterShape: Shape4 }).filterShape;
    const geometry = convGeometry(x.shape as Shape4, filterShape, args.attrs ?? {});
    if (geometry === null) return fallback("Conv2DBackpropFilter", args);
    let { g } = geometry;
    let srcMd = () => md(g.src, DNNL.tag.nhwc);
    if (g.weights[2] === 1 && g.weights[3] === 1 && (g.sh > 1 || g.sw > 1) && g.unpadded) {
      // oneDNN 2.6's 1x1 filter gradient with a stride (jit_1x1, NHWC) is wrong (errors of 1
      // on 8 x 8 input, stride 2): the same gradient is a stride-1 convolution of the input's
      // strided view, which the plan copies to a dense buffer first (a quarter of the input).
      const [n, h, w, c] = x.shape;
      const [oh, ow] = [g.dst[2], g.dst[3]];
      const { sh, sw } = g;
      g = {
        ...g,
        src: [n, c, oh, ow],
        strides: dnnl.dims([1, 1]),
        padL: dnnl.dims([0, 0]),
        padR: dnnl.dims([0, 0]),
        key: `${g.key}|1x1 strided`,
      };
      srcMd = () => dnnl.stridedMd([n, c, oh, ow], [h * w * c, 1, sh * w * c, sw * c]);
    }
    const plan = planFor(`Conv2DBackpropFilter|${g.key}`, () => {
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_convolution_backward_weights_desc_init(
          desc,
          DNNL.alg.convolutionDirect,
          md(g.src, DNNL.tag.nhwc),
          md(g.weights, DNNL.tag.any),
          null,
          md(g.dst, DNNL.tag.nhwc),
          g.strides,
          g.padL,
          g.padR,
        ),
        "convolution_backward_weights_desc_init",
      );
      return dnnl.plan(dnnl.primitiveDesc(desc, convForwardPd(g)), [
        { arg: DNNL.arg.src, md: srcMd(), output: false },
        { arg: DNNL.arg.diffDst, md: md(g.dst, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.diffWeights, md: md(g.weights, DNNL.tag.hwio), output: true },
      ]);
    });
    if (plan === null) return fallback("Conv2DBackpropFilter", args);
    const out = backend.makeOutput(filterShape, "float32");
    plan.run([view(backend, x), view(backend, dy), view(backend, out)]);
    return out;
  };

  const kernels: [string, tf.KernelFunc][] = [
    ["Conv2D", conv2D],
    ["Conv2DBackpropInput", conv2DBackpropInput],
    ["Conv2DBackpropFilter", conv2DBackpropFilter],
  ];
  return kernels.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: name, kernelFunc }));
}

/** The backend name the native CPU backend registers. */
export const NATIVE = "native";

/**
 * Registers backend `"native"`: the wasm backend's instance (its tensors, heap and kernels),
 * under a name of its own, with oneDNN kernels in place of wasm's where they carry a training
 * step's time. Tensors move between `"wasm"` and `"native"` without a copy (one instance). The
 * wasm backend must have started. Calling it again re-copies wasm's kernels (fixes registered
 * since) and keeps ours.
 */
export function registerNativeBackend(dnnl: Dnnl): void {
  if (tf.findBackendFactory(NATIVE) === null) {
    tf.registerBackend(NATIVE, () => {
      const wasm = tf.findBackend("wasm");
      if (wasm === null) throw new Error("the native backend needs the wasm backend started");
      return wasm;
    }, 0);
  }
  if (ours === null) ours = nativeKernels(dnnl, NATIVE);
  const mine = new Set(ours.map((k) => k.kernelName));
  for (const config of tf.getKernelsForBackend("wasm")) {
    if (mine.has(config.kernelName)) continue;
    if (tf.getKernel(config.kernelName, NATIVE) !== undefined) {
      tf.unregisterKernel(config.kernelName, NATIVE);
    }
    tf.registerKernel({ ...config, backendName: NATIVE });
  }
  for (const config of ours) {
    if (tf.getKernel(config.kernelName, NATIVE) === config) continue;
    if (tf.getKernel(config.kernelName, NATIVE) !== undefined) {
      tf.unregisterKernel(config.kernelName, NATIVE);
    }
    tf.registerKernel(config);
  }
}

let ours: tf.KernelConfig[] | null = null;

// Copyright 2026 the simclr authors. MIT license.
// Internal: the native CPU backend's kernels. Each reads and writes tfjs-wasm's heap in place
// through oneDNN (./_dnnl.ts): convolutions and their gradients, max pooling and its gradient,
// matrix products, and BatchNorm's training-mode forward and backward (the custom kernels
// `SimCLRBatchNormTrain` / `SimCLRBatchNormGrad` that models/_layers.ts runs when the active
// backend has them). Shapes or attributes oneDNN is not given here (dilations, NCHW, int32,
// broadcast batches) run the wasm kernel instead. Primitives are cached by shape.
import * as tf from "@tensorflow/tfjs-core";
import { check, DNNL, type Dnnl, type Plan } from "./_dnnl.ts";
import { ADAMW, adamWKernel } from "./_adamw_kernel.ts";
import { heapView, type WasmBackend } from "./_wasm_heap.ts";

type Shape4 = [number, number, number, number];

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
  /**
   * The cached plan for `key`, built once; null where oneDNN refused (the wasm kernel runs).
   * `work` (multiply-adds, or values touched) picks its threads: one below
   * {@linkcode PARALLEL_WORK}, else `dnnl.maxThreads`, the same when it is built and run.
   */
  const planFor = (key: string, work: number, build: () => Plan): Plan | null => {
    let plan = plans.get(key);
    if (plan === undefined) {
      const threads = work < PARALLEL_WORK ? 1 : dnnl.maxThreads;
      try {
        dnnl.useThreads(threads);
        const built = build();
        plan = {
          run(views: ArrayBufferView[]): void {
            dnnl.useThreads(threads);
            built.run(views);
          },
        };
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
  const md = (dims: number[], tag: number, dataType?: number) => dnnl.md(dims, tag, dataType);

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
  /** The forward and filter-gradient descriptors' (src, weights, bias, dst, strides, padding). */
  const convArgs = (g: ConvGeometry) =>
    [
      md(g.src, DNNL.tag.nhwc),
      md(g.weights, DNNL.tag.any),
      null,
      md(g.dst, DNNL.tag.nhwc),
      g.strides,
      g.padL,
      g.padR,
    ] as const;
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
          ...convArgs(g),
        ),
        "convolution_forward_desc_init",
      );
      pd = dnnl.primitiveDesc(desc);
      forwardPds.set(g.key, pd);
    }
    return pd;
  };

  /** The oneDNN descriptor of one direction of a convolution, and its plan's arguments. */
  interface ConvDirection {
    kernelName: string;
    /** The forward convolution's input and filter shapes, from the kernel's call. */
    shapes(inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap): [Shape4, Shape4];
    /** The kernel's input tensors, in the plan's order of user arguments. */
    inputs(inputs: Record<string, tf.TensorInfo>): tf.TensorInfo[];
    /** The output's shape. */
    output(x: Shape4, filter: Shape4, out: Shape4): Shape4;
    /** The plan: the op descriptor initialised on `g`, its user arguments' layouts. */
    build(g: ConvGeometry): Plan;
  }

  /** One direction of a convolution as a kernel: geometry, cached plan, output, run. */
  const convKernel = (d: ConvDirection): tf.KernelFunc => (args) => {
    const backend = args.backend as WasmBackend;
    const inputs = args.inputs as Record<string, tf.TensorInfo>;
    const [xShape, filterShape] = d.shapes(inputs, args.attrs ?? {});
    const tensors = d.inputs(inputs);
    const geometry = convGeometry(xShape, filterShape, args.attrs ?? {});
    if (geometry === null || tensors.some((t) => t.dtype !== "float32")) {
      return fallback(d.kernelName, args);
    }
    const { g, outShape } = geometry;
    const macs = tf.util.sizeFromShape(outShape) * filterShape[0] * filterShape[1] *
      filterShape[2];
    const plan = planFor(`${d.kernelName}|${g.key}`, macs, () => d.build(g));
    if (plan === null) return fallback(d.kernelName, args);
    const out = backend.makeOutput(d.output(xShape, filterShape, outShape), "float32");
    plan.run([...tensors, out].map((t) => heapView(backend, t)));
    return out;
  };

  const conv2D = convKernel({
    kernelName: "Conv2D",
    shapes: ({ x, filter }) => [x.shape as Shape4, filter.shape as Shape4],
    inputs: ({ x, filter }) => [x, filter],
    output: (_x, _filter, out) => out,
    build: (g) =>
      dnnl.plan(convForwardPd(g), [
        { arg: DNNL.arg.src, md: md(g.src, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.weights, md: md(g.weights, DNNL.tag.hwio), output: false },
        { arg: DNNL.arg.dst, md: md(g.dst, DNNL.tag.nhwc), output: true },
      ]),
  });

  const conv2DBackpropInput = convKernel({
    kernelName: "Conv2DBackpropInput",
    shapes: ({ filter }, attrs) => [
      (attrs as { inputShape: Shape4 }).inputShape,
      filter.shape as Shape4,
    ],
    inputs: ({ dy, filter }) => [dy, filter],
    output: (x) => x,
    build: (g) => {
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
    },
  });

  const conv2DBackpropFilter = convKernel({
    kernelName: "Conv2DBackpropFilter",
    shapes: ({ x }, attrs) => [x.shape as Shape4, (attrs as { filterShape: Shape4 }).filterShape],
    inputs: ({ x, dy }) => [x, dy],
    output: (_x, filter) => filter,
    build: (geometry) => {
      let g = geometry;
      let srcMd = md(g.src, DNNL.tag.nhwc);
      if (g.weights[2] === 1 && g.weights[3] === 1 && (g.sh > 1 || g.sw > 1) && g.unpadded) {
        // oneDNN 2.6's 1x1 filter gradient with a stride (jit_1x1, NHWC) is wrong (errors of
        // 1 on 8 x 8 input, stride 2): the same gradient is a stride-1 convolution of the
        // input's strided view, which the plan copies to a dense buffer first (a quarter of
        // the input). oneDNN refuses that view on odd sides: those run on wasm.
        const [n, c, h, w] = g.src;
        const [oh, ow] = [g.dst[2], g.dst[3]];
        srcMd = dnnl.stridedMd([n, c, oh, ow], [h * w * c, 1, g.sh * w * c, g.sw * c]);
        g = {
          ...g,
          src: [n, c, oh, ow],
          strides: dnnl.dims([1, 1]),
          padL: dnnl.dims([0, 0]),
          padR: dnnl.dims([0, 0]),
          key: `${g.key}|1x1 strided`,
        };
      }
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_convolution_backward_weights_desc_init(
          desc,
          DNNL.alg.convolutionDirect,
          ...convArgs(g),
        ),
        "convolution_backward_weights_desc_init",
      );
      return dnnl.plan(dnnl.primitiveDesc(desc, convForwardPd(g)), [
        { arg: DNNL.arg.src, md: srcMd, output: false },
        { arg: DNNL.arg.diffDst, md: md(g.dst, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.diffWeights, md: md(g.weights, DNNL.tag.hwio), output: true },
      ]);
    },
  });

  interface PoolGeometry {
    src: number[];
    dst: number[];
    strides: Uint8Array;
    kernel: Uint8Array;
    dilation: Uint8Array;
    padL: Uint8Array;
    padR: Uint8Array;
    key: string;
  }
  const poolGeometry = (xShape: Shape4, attrs: tf.NamedAttrMap): PoolGeometry | null => {
    const a = attrs as unknown as {
      filterSize: number | [number, number];
      strides: number | [number, number];
      pad: "valid" | "same" | number;
      dimRoundingMode?: "floor" | "round" | "ceil";
    };
    const info = tf.backend_util.computePool2DInfo(
      xShape,
      a.filterSize,
      a.strides,
      1,
      a.pad,
      a.dimRoundingMode,
    );
    const { top, left } = info.padInfo;
    const out = info.outShape;
    const bottom = (out[1] - 1) * info.strideHeight + info.filterHeight - xShape[1] - top;
    const right = (out[2] - 1) * info.strideWidth + info.filterWidth - xShape[2] - left;
    if (bottom < 0 || right < 0) return null;
    return {
      src: nchw(xShape),
      dst: nchw(out),
      strides: dnnl.dims([info.strideHeight, info.strideWidth]),
      kernel: dnnl.dims([info.filterHeight, info.filterWidth]),
      dilation: dnnl.dims([0, 0]),
      padL: dnnl.dims([top, left]),
      padR: dnnl.dims([bottom, right]),
      key: `${xShape}|${info.filterHeight},${info.filterWidth}|${info.strideHeight},` +
        `${info.strideWidth}|${top},${bottom},${left},${right}`,
    };
  };
  /** Both pooling descriptors' (src or diff_src, dst or diff_dst, strides, kernel, ...). */
  const poolArgs = (g: PoolGeometry) =>
    [
      md(g.src, DNNL.tag.nhwc),
      md(g.dst, DNNL.tag.nhwc),
      g.strides,
      g.kernel,
      g.dilation,
      g.padL,
      g.padR,
    ] as const;
  const poolForwardPd = (g: PoolGeometry, prop: number): Deno.PointerValue => {
    const desc = dnnl.opDesc();
    check(
      lib.dnnl_pooling_v2_forward_desc_init(
        desc,
        prop,
        DNNL.alg.poolingMax,
        ...poolArgs(g),
      ),
      "pooling_v2_forward_desc_init",
    );
    return dnnl.primitiveDesc(desc);
  };

  const maxPool: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const g = poolGeometry(x.shape as Shape4, args.attrs ?? {});
    if (g === null || x.dtype !== "float32") return fallback("MaxPool", args);
    const plan = planFor(
      `MaxPool|${g.key}`,
      POOL_WORK * tf.util.sizeFromShape(x.shape),
      () =>
        dnnl.plan(poolForwardPd(g, DNNL.prop.forwardInference), [
          { arg: DNNL.arg.src, md: md(g.src, DNNL.tag.nhwc), output: false },
          { arg: DNNL.arg.dst, md: md(g.dst, DNNL.tag.nhwc), output: true },
        ]),
    );
    if (plan === null) return fallback("MaxPool", args);
    const out = backend.makeOutput([g.dst[0], g.dst[2], g.dst[3], g.dst[1]], "float32");
    plan.run([heapView(backend, x), heapView(backend, out)]);
    return out;
  };

  /** Max pooling's gradient: the forward pass again (for oneDNN's workspace), then backward. */
  const maxPoolGrad: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { dy, input } = args.inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const g = poolGeometry(input.shape as Shape4, args.attrs ?? {});
    if (g === null) return fallback("MaxPoolGrad", args);
    const work = POOL_WORK * tf.util.sizeFromShape(input.shape);
    const plan = planFor(`MaxPoolGrad|${g.key}`, work, () => {
      const forward = poolForwardPd(g, DNNL.prop.forwardTraining);
      const workspace = dnnl.ownedMemory(forward, DNNL.arg.workspace);
      const scratchDst = dnnl.ownedMemory(forward, DNNL.arg.dst);
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_pooling_v2_backward_desc_init(
          desc,
          DNNL.alg.poolingMax,
          ...poolArgs(g),
        ),
        "pooling_v2_backward_desc_init",
      );
      const fwd = dnnl.plan(
        forward,
        [{ arg: DNNL.arg.src, md: md(g.src, DNNL.tag.nhwc), output: false }],
        [{ arg: DNNL.arg.dst, mem: scratchDst }, { arg: DNNL.arg.workspace, mem: workspace }],
      );
      const bwd = dnnl.plan(dnnl.primitiveDesc(desc, forward), [
        { arg: DNNL.arg.diffDst, md: md(g.dst, DNNL.tag.nhwc), output: false },
        { arg: DNNL.arg.diffSrc, md: md(g.src, DNNL.tag.nhwc), output: true },
      ], [{ arg: DNNL.arg.workspace, mem: workspace }]);
      return {
        run([x, dy, dx]: ArrayBufferView[]): void {
          fwd.run([x]);
          bwd.run([dy, dx]);
        },
      };
    });
    if (plan === null) return fallback("MaxPoolGrad", args);
    const out = backend.makeOutput(input.shape, "float32");
    plan.run([heapView(backend, input), heapView(backend, dy), heapView(backend, out)]);
    return out;
  };

  /** BatchNorm data: NHWC (logical [N, C, H, W]) or [N, C]. */
  const bnData = (shape: readonly number[]): [number[], number] | null =>
    shape.length === 4
      ? [nchw(shape), DNNL.tag.nhwc]
      : shape.length === 2
      ? [[...shape], DNNL.tag.ab]
      : null;
  /** BatchNorm's flags: scale and shift, and ReLU fused on the output where asked. */
  const bnFlags = (relu: boolean): number =>
    DNNL.flags.useScale | DNNL.flags.useShift | (relu ? DNNL.flags.fuseNormRelu : 0);
  const bnForwardPd = (
    dims: number[],
    tag: number,
    eps: number,
    relu: boolean,
  ): Deno.PointerValue => {
    const desc = dnnl.opDesc();
    check(
      lib.dnnl_batch_normalization_forward_desc_init(
        desc,
        DNNL.prop.forwardTraining,
        md(dims, tag),
        eps,
        bnFlags(relu),
      ),
      "batch_normalization_forward_desc_init",
    );
    return dnnl.primitiveDesc(desc);
  };
  /** The BatchNorm kernels' attributes: epsilon, and `relu` (fused: y = max(BN(x), 0)). */
  const bnAttrs = (attrs: tf.NamedAttrMap | undefined) => {
    const a = attrs as { epsilon: number; relu?: boolean };
    return { eps: a.epsilon, relu: a.relu === true };
  };
  /** The fused ReLU's workspace (oneDNN's mask of y > 0): its layout and size in bytes. */
  const workspaces = new Map<string, { md: Uint8Array; bytes: number }>();
  const bnWorkspace = (dims: number[], tag: number, eps: number) => {
    const key = `${dims}|${tag}|${eps}`;
    let ws = workspaces.get(key);
    if (ws === undefined) {
      const pd = bnForwardPd(dims, tag, eps, true);
      const wsMd = dnnl.queryMd(pd, DNNL.arg.workspace);
      dnnl.destroyPrimitiveDesc(pd);
      ws = { md: wsMd, bytes: dnnl.mdBytes(wsMd) };
      workspaces.set(key, ws);
    }
    return ws;
  };

  /**
   * Training-mode BatchNorm: y, and the batch's mean and biased variance per channel; with
   * `relu`, y = max(BN(x), 0) in the same pass and a fourth output, the mask that the gradient
   * takes (bytes, dtype bool).
   */
  const batchNormTrain: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { x, weight, bias } = args.inputs as Record<string, tf.TensorInfo>;
    const { eps, relu } = bnAttrs(args.attrs);
    const data = bnData(x.shape);
    if (data === null) throw new RangeError(`${BATCH_NORM_TRAIN}: x has shape [${x.shape}]`);
    const [dims, tag] = data;
    const channels = x.shape[x.shape.length - 1];
    const ws = relu ? bnWorkspace(dims, tag, eps) : null;
    const plan = planFor(
      `BatchNormTrain|${x.shape}|${eps}|${relu}`,
      BATCH_NORM_WORK * tf.util.sizeFromShape(x.shape),
      () =>
        dnnl.plan(bnForwardPd(dims, tag, eps, relu), [
          { arg: DNNL.arg.src, md: md(dims, tag), output: false },
          { arg: DNNL.arg.scale, md: md([channels], DNNL.tag.a), output: false },
          { arg: DNNL.arg.shift, md: md([channels], DNNL.tag.a), output: false },
          { arg: DNNL.arg.dst, md: md(dims, tag), output: true },
          { arg: DNNL.arg.mean, md: md([channels], DNNL.tag.a), output: true },
          { arg: DNNL.arg.variance, md: md([channels], DNNL.tag.a), output: true },
          ...(ws ? [{ arg: DNNL.arg.workspace, md: ws.md, output: true }] : []),
        ]),
    );
    if (plan === null) throw new Error(`${BATCH_NORM_TRAIN}: oneDNN refused [${x.shape}]`);
    const outputs = [
      backend.makeOutput(x.shape, "float32"),
      backend.makeOutput([channels], "float32"),
      backend.makeOutput([channels], "float32"),
      ...(ws ? [backend.makeOutput([ws.bytes], "bool")] : []),
    ];
    plan.run([x, weight, bias, ...outputs].map((t) => heapView(backend, t)));
    return outputs;
  };

  /**
   * BatchNorm's gradient from the saved batch statistics: dx, dWeight, dBias; with `relu`, of
   * the fused max(BN(x), 0), whose mask is the fifth input, `workspace`.
   */
  const batchNormGrad: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { dy, x, mean, variance, weight, workspace } = args.inputs as Record<
      string,
      tf.TensorInfo
    >;
    const { eps, relu } = bnAttrs(args.attrs);
    const data = bnData(x.shape);
    if (data === null) throw new RangeError(`${BATCH_NORM_GRAD}: x has shape [${x.shape}]`);
    if (relu && workspace === undefined) {
      throw new TypeError(`${BATCH_NORM_GRAD}: relu needs the forward pass's workspace`);
    }
    const [dims, tag] = data;
    const channels = x.shape[x.shape.length - 1];
    const ws = relu ? bnWorkspace(dims, tag, eps) : null;
    const work = BATCH_NORM_WORK * tf.util.sizeFromShape(x.shape);
    const plan = planFor(`BatchNormGrad|${x.shape}|${eps}|${relu}`, work, () => {
      const desc = dnnl.opDesc();
      check(
        lib.dnnl_batch_normalization_backward_desc_init(
          desc,
          DNNL.prop.backward,
          md(dims, tag),
          md(dims, tag),
          eps,
          bnFlags(relu),
        ),
        "batch_normalization_backward_desc_init",
      );
      const vector = () => md([channels], DNNL.tag.a);
      return dnnl.plan(dnnl.primitiveDesc(desc, bnForwardPd(dims, tag, eps, relu)), [
        { arg: DNNL.arg.diffDst, md: md(dims, tag), output: false },
        { arg: DNNL.arg.src, md: md(dims, tag), output: false },
        { arg: DNNL.arg.mean, md: vector(), output: false },
        { arg: DNNL.arg.variance, md: vector(), output: false },
        { arg: DNNL.arg.scale, md: vector(), output: false },
        // unread, but oneDNN 2.6 counts it among the inputs with dnnl_use_shift
        { arg: DNNL.arg.shift, md: vector(), output: false },
        ...(ws ? [{ arg: DNNL.arg.workspace, md: ws.md, output: false }] : []),
        { arg: DNNL.arg.diffSrc, md: md(dims, tag), output: true },
        { arg: DNNL.arg.diffScale, md: vector(), output: true },
        { arg: DNNL.arg.diffShift, md: vector(), output: true },
      ]);
    });
    if (plan === null) throw new Error(`${BATCH_NORM_GRAD}: oneDNN refused [${x.shape}]`);
    const dx = backend.makeOutput(x.shape, "float32");
    const dWeight = backend.makeOutput([channels], "float32");
    const dBias = backend.makeOutput([channels], "float32");
    const tensors = [dy, x, mean, variance, weight, weight, ...(ws ? [workspace] : [])];
    plan.run([...tensors, dx, dWeight, dBias].map((t) => heapView(backend, t)));
    return [dx, dWeight, dBias];
  };

  /** Matrix products of rank 2 or 3 with equal batches (either operand transposed). */
  const batchMatMul: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const rank = a.shape.length;
    if (
      a.dtype !== "float32" || b.dtype !== "float32" || rank !== b.shape.length ||
      (rank !== 2 && rank !== 3) || (rank === 3 && a.shape[0] !== b.shape[0])
    ) {
      return fallback("BatchMatMul", args);
    }
    const batch = rank === 3 ? a.shape[0] : 1;
    const [ar, ac] = a.shape.slice(-2), [br, bc] = b.shape.slice(-2);
    const [m, k] = transposeA ? [ac, ar] : [ar, ac];
    const n = transposeB ? br : bc;
    // logical [batch, m, k] x [batch, k, n], each operand described by its strides
    const aStrides = transposeA ? [m * k, 1, m] : [m * k, k, 1];
    const bStrides = transposeB ? [k * n, 1, k] : [k * n, n, 1];
    const key = `BatchMatMul|${a.shape}|${b.shape}|${transposeA}|${transposeB}`;
    const plan = planFor(key, batch * m * k * n, () => {
      const desc = dnnl.opDesc();
      const src = dnnl.stridedMd([batch, m, k], aStrides);
      const weights = dnnl.stridedMd([batch, k, n], bStrides);
      const dst = dnnl.stridedMd([batch, m, n], [m * n, n, 1]);
      check(lib.dnnl_matmul_desc_init(desc, src, weights, null, dst), "matmul_desc_init");
      return dnnl.plan(dnnl.primitiveDesc(desc), [
        { arg: DNNL.arg.src, md: src, output: false },
        { arg: DNNL.arg.weights, md: weights, output: false },
        { arg: DNNL.arg.dst, md: dst, output: true },
      ]);
    });
    if (plan === null) return fallback("BatchMatMul", args);
    const out = backend.makeOutput(rank === 3 ? [batch, m, n] : [m, n], "float32");
    plan.run([heapView(backend, a), heapView(backend, b), heapView(backend, out)]);
    return out;
  };

  /** A one-input element-wise kernel on float32 (any shape: one flat run). */
  const eltwise = (kernelName: string, alg: number): tf.KernelFunc => (args) => {
    const backend = args.backend as WasmBackend;
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const size = tf.util.sizeFromShape(x.shape);
    if (x.dtype !== "float32" || size < ELEMENTWISE_MIN) return fallback(kernelName, args);
    const plan = planFor(`${kernelName}|${size}`, size, () => {
      const desc = dnnl.opDesc();
      const data = md([size], DNNL.tag.a);
      check(
        lib.dnnl_eltwise_forward_desc_init(desc, DNNL.prop.forwardInference, alg, data, 0, 0),
        "eltwise_forward_desc_init",
      );
      return dnnl.plan(dnnl.primitiveDesc(desc), [
        { arg: DNNL.arg.src, md: data, output: false },
        { arg: DNNL.arg.dst, md: md([size], DNNL.tag.a), output: true },
      ]);
    });
    if (plan === null) return fallback(kernelName, args);
    const out = backend.makeOutput(x.shape, "float32");
    plan.run([heapView(backend, x), heapView(backend, out)]);
    return out;
  };

  /**
   * ReLU's gradient from its output in one pass, `dx = y > 0 ? dy : 0`: what tfjs's gradient
   * of `Relu` (`dy * cast(step(x))`) computes in three, from the values models/_layers.ts's
   * `relu()` saves on backends that have this kernel.
   */
  const reluGrad: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
    const size = tf.util.sizeFromShape(y.shape);
    const plan = dy.dtype !== "float32" || y.dtype !== "float32" ? null : planFor(
      `${RELU_GRAD}|${size}`,
      size,
      () => {
        const desc = dnnl.opDesc();
        const data = md([size], DNNL.tag.a);
        check(
          lib.dnnl_eltwise_backward_desc_init(
            desc,
            DNNL.alg.eltwiseReluUseDstForBwd,
            md([size], DNNL.tag.a),
            data,
            0,
            0,
          ),
          "eltwise_backward_desc_init",
        );
        const forward = dnnl.opDesc();
        check(
          lib.dnnl_eltwise_forward_desc_init(
            forward,
            DNNL.prop.forwardTraining,
            DNNL.alg.eltwiseReluUseDstForBwd,
            data,
            0,
            0,
          ),
          "eltwise_forward_desc_init",
        );
        return dnnl.plan(dnnl.primitiveDesc(desc, dnnl.primitiveDesc(forward)), [
          { arg: DNNL.arg.diffDst, md: md([size], DNNL.tag.a), output: false },
          { arg: DNNL.arg.dst, md: data, output: false },
          { arg: DNNL.arg.diffSrc, md: md([size], DNNL.tag.a), output: true },
        ]);
      },
    );
    if (plan === null) throw new Error(`${RELU_GRAD}: oneDNN refused [${y.shape}]`);
    const dx = backend.makeOutput(y.shape, "float32");
    plan.run([dy, y, dx].map((t) => heapView(backend, t)));
    return dx;
  };

  /**
   * A two-input element-wise kernel on float32: equal shapes, or one operand broadcast along
   * the other's leading axes (a bias `[C]` over `[N, H, W, C]`, a scalar); others run on wasm.
   */
  const binary = (kernelName: string, alg: number, commutes: boolean): tf.KernelFunc => (args) => {
    const backend = args.backend as WasmBackend;
    let { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== "float32" || b.dtype !== "float32") return fallback(kernelName, args);
    if (!rowBroadcast(a.shape, b.shape) && commutes) [a, b] = [b, a];
    if (!rowBroadcast(a.shape, b.shape)) return fallback(kernelName, args);
    const [sa, sb] = [tf.util.sizeFromShape(a.shape), tf.util.sizeFromShape(b.shape)];
    if (sa < ELEMENTWISE_MIN) return fallback(kernelName, args);
    const outShape = a.shape;
    // Equal sizes and scalars as flat runs; a row of fewer than 16 values (an inner loop that
    // short is slower than wasm's) runs on wasm.
    const [src0Dims, src1Dims] = sb === sa ? [[sa], [sa]] : sb === 1 ? [[sa], [1]] : [
      [sa / sb, sb],
      [1, sb],
    ];
    if (src0Dims.length === 2 && sb < 16) return fallback(kernelName, args);
    const plan = binaryPlan(kernelName, alg, src0Dims, src1Dims);
    if (plan === null) return fallback(kernelName, args);
    const out = backend.makeOutput(outShape, "float32");
    plan.run([heapView(backend, a), heapView(backend, b), heapView(backend, out)]);
    return out;
  };

  /**
   * The cached plan of a binary primitive on `src0Dims` and (broadcast) `src1Dims`, rank 1 to 4,
   * dense; float32 out, or `dstType`.
   */
  const binaryPlan = (
    kernelName: string,
    alg: number,
    src0Dims: number[],
    src1Dims: number[],
    dstType: number = DNNL.f32,
  ) => {
    const tag = [DNNL.tag.a, DNNL.tag.ab, DNNL.tag.abc, DNNL.tag.abcd][src0Dims.length - 1];
    const work = tf.util.sizeFromShape(src0Dims);
    return planFor(`${kernelName}|${src0Dims}|${src1Dims}`, work, () => {
      const desc = dnnl.opDesc();
      const src0 = md(src0Dims, tag), src1 = md(src1Dims, tag), dst = md(src0Dims, tag, dstType);
      check(lib.dnnl_binary_desc_init(desc, alg, src0, src1, dst), "binary_desc_init");
      return dnnl.plan(dnnl.primitiveDesc(desc), [
        { arg: DNNL.arg.src, md: src0, output: false },
        { arg: DNNL.arg.src1, md: src1, output: false },
        { arg: DNNL.arg.dst, md: dst, output: true },
      ]);
    });
  };

  /**
   * `Equal` on float32 where either operand broadcasts along any axes of the other, bool out:
   * the gradient of `Max` (in every `logSumExp`) compares `[rows, columns]` with `[rows, 1]`,
   * a column broadcast that costs wasm milliseconds at [128, 128].
   */
  const equal: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    let { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== "float32" || b.dtype !== "float32") return fallback("Equal", args);
    if (!broadcastsOver(b.shape, a.shape)) [a, b] = [b, a];
    const rank = a.shape.length;
    if (!broadcastsOver(b.shape, a.shape) || rank < 1 || rank > 4) return fallback("Equal", args);
    const size = tf.util.sizeFromShape(a.shape);
    if (size < ELEMENTWISE_MIN) return fallback("Equal", args);
    const src0Dims = [...a.shape];
    const src1Dims = [...new Array(rank - b.shape.length).fill(1), ...b.shape];
    const plan = binaryPlan("Equal", DNNL.alg.binaryEq, src0Dims, src1Dims, DNNL.u8);
    if (plan === null) return fallback("Equal", args);
    const out = backend.makeOutput(a.shape, "bool");
    plan.run([heapView(backend, a), heapView(backend, b), heapView(backend, out)]);
    return out;
  };

  /**
   * `Step` (ReLU's gradient mask: 1 where x > 0, else 0) as oneDNN's `x > 0`; a NaN gives 0
   * where tfjs's gives NaN (the step's loss is NaN then anyway).
   */
  const step: tf.KernelFunc = (args) => {
    const backend = args.backend as WasmBackend;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const size = tf.util.sizeFromShape(x.shape);
    if (
      (args.attrs as { alpha?: number }).alpha || x.dtype !== "float32" || size < ELEMENTWISE_MIN
    ) {
      return fallback("Step", args);
    }
    const plan = binaryPlan("Step", DNNL.alg.binaryGt, [size], [1]);
    if (plan === null) return fallback("Step", args);
    const out = backend.makeOutput(x.shape, "float32");
    plan.run([heapView(backend, x), ZERO, heapView(backend, out)]);
    return out;
  };

  /**
   * `Identity`, and `Cast` to the same dtype, as a second reference to the input's bytes (as
   * tfjs-cpu's and wasm's `Reshape` do) rather than wasm's copy: tensors are immutable, and the
   * engine clones every tensor it saves for the backward pass through `Identity` (a step's
   * activations, once more). Other casts run on wasm.
   */
  const share = (kernelName: string): tf.KernelFunc => (args) => {
    const x = (args.inputs as { x: tf.TensorInfo }).x;
    const dtype = (args.attrs as { dtype?: tf.DataType } | undefined)?.dtype ?? x.dtype;
    if (dtype !== x.dtype || x.dtype === "string") return fallback(kernelName, args);
    (args.backend as WasmBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype };
  };

  const kernels: [string, tf.KernelFunc][] = [
    ["Identity", share("Identity")],
    ["Cast", share("Cast")],
    ["Conv2D", conv2D],
    ["Conv2DBackpropInput", conv2DBackpropInput],
    ["Conv2DBackpropFilter", conv2DBackpropFilter],
    ["MaxPool", maxPool],
    ["MaxPoolGrad", maxPoolGrad],
    ["BatchMatMul", batchMatMul],
    [BATCH_NORM_TRAIN, batchNormTrain],
    [BATCH_NORM_GRAD, batchNormGrad],
    ["Relu", eltwise("Relu", DNNL.alg.eltwiseRelu)],
    ["Square", eltwise("Square", DNNL.alg.eltwiseSquare)],
    ["Add", binary("Add", DNNL.alg.binaryAdd, true)],
    ["Multiply", binary("Multiply", DNNL.alg.binaryMul, true)],
    ["Sub", binary("Sub", DNNL.alg.binarySub, false)],
    ["RealDiv", binary("RealDiv", DNNL.alg.binaryDiv, false)],
    ["Sqrt", eltwise("Sqrt", DNNL.alg.eltwiseSqrt)],
    ["Step", step],
    ["Equal", equal],
    [RELU_GRAD, reluGrad],
    [ADAMW, adamWKernel],
  ];
  return kernels.map(([kernelName, kernelFunc]) => ({ kernelName, backendName: name, kernelFunc }));
}

/**
 * Element-wise kernels below this many values run on wasm (one FFI call and oneDNN's dispatch
 * cost about as much). Above it oneDNN on one thread beats wasm (measured: an add of 2.4M
 * values 0.6 ms against 1.4, a ReLU 0.4 ms against 3.6).
 */
const ELEMENTWISE_MIN = 4096;

/** Whether `b` broadcasts over `a` (right-aligned, each of b's axes 1 or a's). */
function broadcastsOver(b: readonly number[], a: readonly number[]): boolean {
  const offset = a.length - b.length;
  return offset >= 0 && b.every((n, i) => n === 1 || n === a[offset + i]);
}

/**
 * Whether `b` broadcasts over `a` as a row: right-aligned, b's shape is ones and then a's
 * trailing axes (equal shapes, a bias `[C]` over `[N, H, W, C]`, a scalar).
 */
function rowBroadcast(a: readonly number[], b: readonly number[]): boolean {
  if (b.length > a.length) return false;
  const padded = [...new Array(a.length - b.length).fill(1), ...b];
  let i = 0;
  while (i < padded.length && padded[i] === 1) i++;
  for (let j = i; j < a.length; j++) if (padded[j] !== a[j]) return false;
  return true;
}

/**
 * Work (multiply-adds, or values touched) from which a primitive runs on every thread rather
 * than one: below it the second OpenMP thread's wake-up costs more than it saves (a team of two
 * costs 4-8 ms per call while another process holds the other core; on an idle machine tens
 * of microseconds). About 2 ms of one core's work; ResNet-18's convolutions at 96 px are
 * 100-1000x above it, the demo preset's (width 8, 32 px) below.
 */
const PARALLEL_WORK = 1 << 25;
/** A pooled value's work, in {@linkcode PARALLEL_WORK}'s units (a 3 x 3 window). */
const POOL_WORK = 9;
/** A BatchNorm value's work (statistics and normalisation, or the gradient's sums and terms). */
const BATCH_NORM_WORK = 8;

/** The 0 that `Step` compares with. */
const ZERO = new Float32Array(1);

/** Training-mode BatchNorm as one kernel (models/_layers.ts runs it where it is registered). */
export const BATCH_NORM_TRAIN = "SimCLRBatchNormTrain";
/** BatchNorm's closed-form gradient as one kernel. */
export const BATCH_NORM_GRAD = "SimCLRBatchNormGrad";

/** ReLU's gradient from its output as one kernel. */
export const RELU_GRAD = "SimCLRReluGrad";

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

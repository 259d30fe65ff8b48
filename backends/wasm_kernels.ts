// Copyright 2026 the simclr authors. MIT license.
/**
 * Corrections to `@tensorflow/tfjs-backend-wasm` 4.22.0 kernels that training needs: wrong
 * results (`OneHot`), and on request a fast path (`BatchMatMul` with a transposed operand).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { opKernel } from "./_op_kernel.ts";

interface OneHotAttrs {
  depth: number;
  onValue: number;
  offValue: number;
  dtype: tf.DataType;
}

/**
 * `OneHot` by comparison with a range: wasm's own kernel writes int32 bit patterns whatever the
 * requested dtype, so `tf.oneHot(i, n, 1, 0, "float32")` reads back 1.4e-45 instead of 1.
 */
const ONE_HOT: tf.KernelConfig = opKernel("OneHot", "wasm", (inputs, attrs) => {
  const { depth, onValue, offValue, dtype } = attrs as unknown as OneHotAttrs;
  const indices = inputs.indices;
  const hit = tf.equal(
    tf.expandDims(tf.cast(indices, "int32"), -1),
    tf.range(0, depth, 1, "int32"),
  ); // [...indices.shape, depth]
  return tf.cast(tf.where(hit, tf.scalar(onValue), tf.scalar(offValue)), dtype);
});

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Swaps the last two axes. */
function swapLast(t: tf.Tensor): tf.Tensor {
  const axes = t.shape.map((_, i) => i);
  axes.push(...axes.splice(-2).reverse());
  return tf.transpose(t, axes);
}

/** A transposed `BatchMatMul` as an explicit transpose, then the untransposed kernel. */
const TRANSPOSED_MAT_MUL: tf.KernelConfig = opKernel("BatchMatMul", "wasm", (inputs, attrs) => {
  const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
  const a = transposeA ? swapLast(inputs.a) : inputs.a;
  const b = transposeB ? swapLast(inputs.b) : inputs.b;
  return tf.matMul(a, b); // runs BatchMatMul again, untransposed: the stock kernel
});

/** The stock kernels our fixes replaced (`undefined`: none was registered), by kernel name. */
const stock = new Map<string, tf.KernelConfig | undefined>();

/**
 * `BatchMatMul` with a transposed operand by an explicit transpose: wasm's own kernel takes a
 * slow path then (measured at [128, 1024]^T x [128, 1024]: 480 ms against 17 ms), and every
 * linear layer's backward pass has one (dW = x^T dy, dx = dy W^T).
 */
const BATCH_MAT_MUL: tf.KernelConfig = {
  kernelName: "BatchMatMul",
  backendName: "wasm",
  // The stock kernel binds its wasm function when the backend starts.
  setupFunc: (backend) => stock.get("BatchMatMul")?.setupFunc?.(backend),
  kernelFunc: (args) => {
    const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
    if (transposeA || transposeB) return TRANSPOSED_MAT_MUL.kernelFunc(args);
    const original = stock.get("BatchMatMul");
    if (original === undefined) throw new Error("BatchMatMul: no stock wasm kernel to run");
    return original.kernelFunc(args);
  },
};

/** Registers `fixes` for wasm in place of the kernels there (kept to restore them). */
function install(fixes: readonly tf.KernelConfig[]): void {
  for (const fix of fixes) {
    const current = tf.getKernel(fix.kernelName, "wasm");
    if (current === fix) continue;
    // first install, or the wasm package was imported since and put its kernel back
    stock.set(fix.kernelName, current);
    if (current !== undefined) tf.unregisterKernel(fix.kernelName, "wasm");
    tf.registerKernel(fix);
  }
}

/** Puts back the kernels that {@linkcode install} replaced. */
function uninstall(fixes: readonly tf.KernelConfig[]): void {
  for (const fix of fixes) {
    if (!stock.has(fix.kernelName)) continue;
    if (tf.getKernel(fix.kernelName, "wasm") === fix) {
      tf.unregisterKernel(fix.kernelName, "wasm");
      const original = stock.get(fix.kernelName);
      if (original !== undefined) tf.registerKernel(original);
    }
    stock.delete(fix.kernelName);
  }
}

/**
 * Replaces `wasm` kernels that give wrong results in tfjs 4.22.0 by op compositions that give
 * the right ones. Today: `OneHot` with a non-int32 dtype (wasm writes int32 bits into the
 * float buffer: `tf.oneHot(indices, n, 1, 0, "float32")` reads back 1.4e-45, which silently
 * zeroes InfoNCE's positive term). Call it after importing `@tensorflow/tfjs-backend-wasm`
 * (the import registers the stock kernels again); calling it again re-installs the fixes and
 * is otherwise a no-op. Undo with {@linkcode unregisterWasmKernelFixes}.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerWasmKernelFixes } from "@simclr/backends";
 * registerWasmKernelFixes();
 * await tf.setBackend("wasm");
 * const h = tf.oneHot(tf.tensor1d([1], "int32"), 2, 1, 0, "float32");
 * import assert from "node:assert/strict";
 * assert.deepEqual(Array.from(h.dataSync()), [0, 1]); // stock wasm: [0, 1.4e-45]
 * ```
 */
export function registerWasmKernelFixes(): void {
  install([ONE_HOT]);
}

/**
 * Restores the stock kernels replaced by {@linkcode registerWasmKernelFixes}.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { registerWasmKernelFixes, unregisterWasmKernelFixes } from "@simclr/backends";
 * registerWasmKernelFixes();
 * unregisterWasmKernelFixes();
 * ```
 */
export function unregisterWasmKernelFixes(): void {
  uninstall([ONE_HOT]);
}

/**
 * Makes `wasm`'s matrix products with a transposed operand fast: an explicit transpose, then
 * the stock untransposed kernel (XNNPACK), instead of the stock kernel's slow path for
 * `transposeA` / `transposeB` (measured at `[128, 1024]^T x [128, 1024]`: 480 ms against
 * 18 ms). Every linear layer's backward pass has both (`dW = x^T dy`, `dx = dy W^T`), so wide
 * heads (Barlow Twins' and BYOL's projectors) train about twice as fast per epoch. The values
 * are the same up to float rounding (another summation order), which is why
 * {@linkcode selectBackend} does not register it: SimCLR runs stay bit-identical to those
 * before it; `deno task pretrain --method barlow|byol|supcon` registers it. Call it after
 * importing `@tensorflow/tfjs-backend-wasm`, before or after the backend starts; undo with
 * {@linkcode unregisterFastWasmMatMul}.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-wasm";
 * import { registerFastWasmMatMul, unregisterFastWasmMatMul } from "@simclr/backends";
 * import assert from "node:assert/strict";
 * registerFastWasmMatMul();
 * await tf.setBackend("wasm");
 * const a = tf.tensor2d([[1, 2], [3, 4]]);
 * const y = tf.matMul(a, a, true, false); // a^T a
 * assert.deepEqual(Array.from(await y.data()), [10, 14, 14, 20]);
 * tf.dispose([a, y]);
 * unregisterFastWasmMatMul();
 * ```
 */
export function registerFastWasmMatMul(): void {
  install([BATCH_MAT_MUL]);
}

/**
 * Restores the stock `BatchMatMul` replaced by {@linkcode registerFastWasmMatMul}.
 *
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { registerFastWasmMatMul, unregisterFastWasmMatMul } from "@simclr/backends";
 * registerFastWasmMatMul();
 * unregisterFastWasmMatMul();
 * ```
 */
export function unregisterFastWasmMatMul(): void {
  uninstall([BATCH_MAT_MUL]);
}

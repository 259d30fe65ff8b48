// Copyright 2026 the simclr authors. MIT license.
/**
 * Corrections to `@tensorflow/tfjs-backend-wasm` 4.22.0 kernels that training needs.
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

let stockOneHot: tf.KernelConfig | undefined | null = null;

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
  const current = tf.getKernel("OneHot", "wasm");
  if (current === ONE_HOT) return;
  // first install, or the wasm package was imported since and put its kernel back
  stockOneHot = current;
  if (current !== undefined) tf.unregisterKernel("OneHot", "wasm");
  tf.registerKernel(ONE_HOT);
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
  if (stockOneHot === null) return;
  if (tf.getKernel("OneHot", "wasm") === ONE_HOT) {
    tf.unregisterKernel("OneHot", "wasm");
    if (stockOneHot !== undefined) tf.registerKernel(stockOneHot);
  }
  stockOneHot = null;
}

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import { registerWasmKernelFixes, unregisterWasmKernelFixes } from "./wasm_kernels.ts";

await tf.setBackend("wasm");

function oneHotValues(dtype: "float32" | "int32"): number[] {
  const indices = tf.tensor2d([[1, 0], [2, -1]], [2, 2], "int32");
  const h = tf.oneHot(indices, 3, 5, -2, dtype);
  assert.deepEqual(h.shape, [2, 2, 3]);
  assert.equal(h.dtype, dtype);
  const v = Array.from(h.dataSync());
  tf.dispose([indices, h]);
  return v;
}

const EXPECTED = [-2, 5, -2, 5, -2, -2, -2, -2, 5, -2, -2, -2];

Deno.test("`registerWasmKernelFixes()` makes float32 tf.oneHot correct on wasm", () => {
  unregisterWasmKernelFixes();
  // the stock kernel writes int32 bit patterns into the float32 buffer
  assert.notDeepEqual(oneHotValues("float32"), EXPECTED);
  registerWasmKernelFixes();
  registerWasmKernelFixes();
  const before = tf.memory().numTensors;
  assert.deepEqual(oneHotValues("float32"), EXPECTED);
  assert.deepEqual(oneHotValues("int32"), EXPECTED);
  assert.equal(tf.memory().numTensors, before);
  // importing the wasm package again would put the stock kernel back: re-registering fixes it
  const fixed = tf.getKernel("OneHot", "wasm");
  unregisterWasmKernelFixes();
  const stock = tf.getKernel("OneHot", "wasm");
  assert.notEqual(stock, fixed);
  registerWasmKernelFixes();
  tf.unregisterKernel("OneHot", "wasm");
  tf.registerKernel(stock);
  registerWasmKernelFixes();
  assert.equal(tf.getKernel("OneHot", "wasm"), fixed);
  assert.deepEqual(oneHotValues("float32"), EXPECTED);
  unregisterWasmKernelFixes();
  assert.equal(tf.getKernel("OneHot", "wasm"), stock);
  assert.deepEqual(oneHotValues("int32"), EXPECTED);
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import {
  registerFastWasmMatMul,
  registerWasmKernelFixes,
  unregisterFastWasmMatMul,
  unregisterWasmKernelFixes,
} from "./wasm_kernels.ts";

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

Deno.test("`registerFastWasmMatMul()` gives transposed matMuls on wasm the stock values, faster", () => {
  registerWasmKernelFixes();
  registerFastWasmMatMul();
  registerFastWasmMatMul();
  const shapes: [number[], number[], boolean, boolean][] = [
    [[5, 3], [5, 4], true, false],
    [[3, 5], [4, 5], false, true],
    [[5, 3], [4, 5], true, true],
    [[3, 5], [5, 4], false, false],
    [[2, 5, 3], [2, 5, 4], true, false], // batched
    [[2, 3, 5], [1, 4, 5], false, true], // broadcast batch
  ];
  const results = (fixed: boolean) => {
    if (fixed) registerFastWasmMatMul();
    else unregisterFastWasmMatMul();
    return shapes.map(([sa, sb, ta, tb], i) =>
      tf.tidy(() => {
        const a = tf.randomNormal(sa, 0, 1, "float32", i + 1);
        const b = tf.randomNormal(sb, 0, 1, "float32", i + 10);
        const y = tf.matMul(a, b, ta, tb);
        return { shape: y.shape, values: Array.from(y.dataSync()) };
      })
    );
  };
  const before = tf.memory().numTensors;
  const [stockValues, fixedValues] = [results(false), results(true)];
  assert.equal(tf.memory().numTensors, before);
  fixedValues.forEach((got, i) => {
    assert.deepEqual(got.shape, stockValues[i].shape);
    got.values.forEach((v, j) => assert.ok(Math.abs(v - stockValues[i].values[j]) < 1e-5, `${i}`));
  });
  // Timing: a [1024, 128] x [128, 1024] product with transposeA, stock against ours.
  const [a, b] = [tf.randomNormal([128, 1024]), tf.randomNormal([128, 1024])];
  const time = () => {
    const start = performance.now();
    tf.matMul(a, b, true, false).dispose();
    return performance.now() - start;
  };
  unregisterFastWasmMatMul();
  time();
  const slow = time();
  registerFastWasmMatMul();
  time();
  const fast = time();
  console.log(
    `transposeA [1024, 128] x [128, 1024] on wasm: stock ${slow.toFixed(0)} ms, ours ${
      fast.toFixed(0)
    } ms`,
  );
  assert.ok(fast < slow, `ours ${fast} ms, stock ${slow} ms`);
  tf.dispose([a, b]);
  // Off again: the stock kernel is back, and the OneHot fix is left alone.
  unregisterFastWasmMatMul();
  assert.notEqual(tf.getKernel("BatchMatMul", "wasm")?.setupFunc, undefined);
  assert.deepEqual(oneHotValues("float32"), EXPECTED);
});

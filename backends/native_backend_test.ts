// The native CPU backend's kernels (oneDNN through Deno's FFI on the wasm heap) against PyTorch
// (backends/testdata: tools/make_conv_grad_fixtures.py, tools/make_native_fixtures.py) and
// against tfjs-wasm's own kernels, on odd shapes: stride 2 with odd sides, 1x1 downsampling,
// the 7x7 stem with padding 3, batch 1, 3 input channels.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "./select_backend.ts";
import { openDnnl } from "./_dnnl.ts";
import { RELU_GRAD } from "./_native_kernels.ts";
import {
  disposeCases,
  kernelFilterGrad,
  kernelInputGrad,
  loadConvCases,
  maxAbsDiff,
} from "./_test_utils.ts";

const available = "dnnl" in openDnnl(1);
const TOL = 1e-4;

/** Runs `f` on wasm and on native; returns both results (caller disposes). */
async function onBoth<T extends tf.Tensor | tf.Tensor[]>(f: () => T): Promise<[T, T]> {
  await selectBackend("wasm", { log: null });
  const wasm = f();
  await selectBackend("native", { log: null });
  const native = f();
  return [wasm, native];
}

Deno.test({
  name: "`selectBackend('native')` runs convolutions and their gradients as PyTorch and wasm do",
  ignore: !available,
  fn: async () => {
    await selectBackend("native", { log: null });
    const cases = loadConvCases();
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const [wasmY, nativeY] = await onBoth(() => tf.conv2d(c.x, c.w, c.stride, c.pad));
      assert.ok(await maxAbsDiff(nativeY, wasmY) < TOL, `${c.name}: forward differs from wasm`);
      await selectBackend("native", { log: null });
      const dx = kernelInputGrad(c), dw = kernelFilterGrad(c);
      const ex = await maxAbsDiff(dx, c.dx), ew = await maxAbsDiff(dw, c.dw);
      assert.ok(ex < TOL && ew < TOL, `${c.name}: dx error ${ex}, dw error ${ew} against torch`);
      const [wasmDx, nativeDx] = await onBoth(() => kernelInputGrad(c));
      assert.ok(await maxAbsDiff(nativeDx, wasmDx) < TOL, `${c.name}: dx differs from wasm`);
      tf.dispose([wasmY, nativeY, dx, dw, wasmDx, nativeDx]);
    }
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    disposeCases(cases);
  },
});

interface Entry {
  shape: number[];
  values: number[];
}
type Case = Record<string, Entry> & { name: string };
const NATIVE_FIXTURES = JSON.parse(
  Deno.readTextFileSync(new URL("./testdata/native_kernels.json", import.meta.url)),
) as Record<"maxPool" | "batchNorm" | "matMul" | "batchNormRelu", Case[]>;
const tensor = (e: Entry): tf.Tensor => tf.tensor(e.values, e.shape, "float32");

/** Largest |a - expected|, relative to expected's largest |value|. */
async function relError(a: tf.Tensor, expected: Entry): Promise<number> {
  const e = tensor(expected);
  const diff = await maxAbsDiff(a, e);
  const scale = Math.max(...expected.values.map(Math.abs), 1e-12);
  e.dispose();
  return diff / scale;
}

Deno.test({
  name: "`selectBackend('native')` max-pools and routes max pooling's gradient as PyTorch and wasm",
  ignore: !available,
  fn: async () => {
    for (const c of NATIVE_FIXTURES.maxPool) {
      const x = tensor(c.x) as tf.Tensor4D, dy = tensor(c.dy);
      const f = () =>
        tf.tidy(() => {
          const y = tf.maxPool(x, 3, 2, 1);
          const dx = tf.grad((v: tf.Tensor) =>
            tf.sum(tf.mul(tf.maxPool(v as tf.Tensor4D, 3, 2, 1), dy))
          )(x);
          return [y, dx];
        });
      const [wasm, native] = await onBoth(f);
      const before = tf.memory().numTensors;
      tf.dispose(f());
      assert.equal(tf.memory().numTensors, before, `${c.name}: tensors leaked`);
      assert.ok(await relError(native[0], c.y) < 1e-6, `${c.name}: y`);
      assert.ok(await relError(native[1], c.dx) < 1e-6, `${c.name}: dx`);
      assert.equal(await maxAbsDiff(native[0], wasm[0]), 0, `${c.name}: y differs from wasm`);
      // tfjs-wasm's own MaxPoolGrad misroutes on odd sides (9 x 7: 16% of the largest |dx|
      // against torch); where it is right, ours routes every gradient as it does.
      if (c.name.endsWith("even")) {
        assert.equal(await maxAbsDiff(native[1], wasm[1]), 0, `${c.name}: dx differs from wasm`);
      }
      tf.dispose([x, dy, ...wasm, ...native]);
    }
  },
});

Deno.test({
  name: "`selectBackend('native')` has BatchNorm kernels with PyTorch's statistics and gradients",
  ignore: !available,
  fn: async () => {
    await selectBackend("native", { log: null });
    for (const c of NATIVE_FIXTURES.batchNorm) {
      const [x, weight, bias, dy] = [c.x, c.weight, c.bias, c.dy].map(tensor);
      const before = tf.memory().numTensors;
      const [y, mean, variance] = tf.engine().runKernel(
        "SimCLRBatchNormTrain",
        { x, weight, bias },
        { epsilon: 1e-5 },
      ) as tf.Tensor[];
      const [dx, dWeight, dBias] = tf.engine().runKernel(
        "SimCLRBatchNormGrad",
        { dy, x, mean, variance, weight },
        { epsilon: 1e-5 },
      ) as tf.Tensor[];
      const outputs = { y, mean, variance, dx, dweight: dWeight, dbias: dBias };
      for (const [key, t] of Object.entries(outputs)) {
        const e = await relError(t, c[key]);
        assert.ok(e < 1e-5, `${c.name}: ${key} error ${e} against torch`);
      }
      tf.dispose(Object.values(outputs));
      assert.equal(tf.memory().numTensors, before, `${c.name}: tensors leaked`);
      tf.dispose([x, weight, bias, dy]);
    }
  },
});

Deno.test({
  name: "`selectBackend('native')` fuses ReLU into BatchNorm as PyTorch and the unfused kernels",
  ignore: !available,
  fn: async () => {
    await selectBackend("native", { log: null });
    const attrs = { epsilon: 1e-5, relu: true };
    for (const c of NATIVE_FIXTURES.batchNormRelu) {
      const [x, weight, bias, dy] = [c.x, c.weight, c.bias, c.dy].map(tensor);
      const before = tf.memory().numTensors;
      const [y, mean, variance, workspace] = tf.engine().runKernel(
        "SimCLRBatchNormTrain",
        { x, weight, bias },
        attrs,
      ) as tf.Tensor[];
      assert.equal(workspace.dtype, "bool");
      const [dx, dWeight, dBias] = tf.engine().runKernel(
        "SimCLRBatchNormGrad",
        { dy, x, mean, variance, weight, workspace },
        attrs,
      ) as tf.Tensor[];
      const outputs = { y, mean, variance, dx, dweight: dWeight, dbias: dBias };
      for (const [key, t] of Object.entries(outputs)) {
        const e = await relError(t, c[key]);
        assert.ok(e < 1e-5, `${c.name}: ${key} error ${e} against torch`);
      }
      // the unfused kernels: BatchNorm, ReLU, ReLU's gradient, BatchNorm's gradient
      const unfused = tf.tidy(() => {
        const [bn, m, v] = tf.engine().runKernel(
          "SimCLRBatchNormTrain",
          { x, weight, bias },
          { epsilon: 1e-5 },
        ) as tf.Tensor[];
        const r = tf.relu(bn);
        const dr = tf.engine().runKernel(RELU_GRAD, { dy, y: r }) as tf.Tensor;
        return [
          r,
          ...tf.engine().runKernel(
            "SimCLRBatchNormGrad",
            { dy: dr, x, mean: m, variance: v, weight },
            { epsilon: 1e-5 },
          ) as tf.Tensor[],
        ];
      });
      for (const [i, t] of [y, dx, dWeight, dBias].entries()) {
        assert.ok(await maxAbsDiff(t, unfused[i]) < 1e-6, `${c.name}: output ${i} vs unfused`);
      }
      assert.throws(
        () =>
          tf.engine().runKernel("SimCLRBatchNormGrad", { dy, x, mean, variance, weight }, attrs),
        /workspace/,
      );
      tf.dispose([...Object.values(outputs), workspace, ...unfused]);
      assert.equal(tf.memory().numTensors, before, `${c.name}: tensors leaked`);
      tf.dispose([x, weight, bias, dy]);
    }
  },
});

Deno.test({
  name: "`selectBackend('native')` multiplies matrices, either operand transposed, as PyTorch",
  ignore: !available,
  fn: async () => {
    for (const c of NATIVE_FIXTURES.matMul) {
      const a = tensor(c.a) as tf.Tensor2D, b = tensor(c.b) as tf.Tensor2D;
      const dy = tensor(c.dy) as tf.Tensor2D;
      const f = () =>
        tf.tidy(() => [
          tf.matMul(a, b),
          tf.matMul(dy, b, false, true), // da = dy b^T
          tf.matMul(a, dy, true, false), // db = a^T dy
          tf.matMul(tf.stack([a, a]) as tf.Tensor3D, tf.stack([b, b]) as tf.Tensor3D),
        ]);
      const [wasm, native] = await onBoth(f);
      for (const [i, key] of ["y", "da", "db"].entries()) {
        const e = await relError(native[i], c[key]);
        assert.ok(e < 1e-6, `${c.name}: ${key} error ${e} against torch`);
        assert.ok(await maxAbsDiff(native[i], wasm[i]) < 1e-5, `${c.name}: ${key} vs wasm`);
      }
      assert.ok(await maxAbsDiff(native[3], wasm[3]) < 1e-5, `${c.name}: batched vs wasm`);
      tf.dispose([a, b, dy, ...wasm, ...native]);
    }
  },
});

Deno.test({
  name: "`selectBackend('native')` `Equal` gives wasm's booleans, broadcast along any axis",
  ignore: !available,
  fn: async () => {
    await selectBackend("wasm", { log: null });
    // ties on purpose: rounded values, and each row's max (the gradient of logSumExp)
    const x = tf.round(tf.randomNormal([128, 96], 0, 2, "float32", 9));
    const rows = tf.max(x, 1, true); // [128, 1]
    const f = () =>
      tf.tidy(() => [
        tf.equal(x, rows), // a column broadcast
        tf.equal(rows, x), // swapped
        tf.equal(x, tf.round(tf.randomNormal([96], 0, 2, "float32", 10))), // a row
        tf.equal(x, tf.reverse(x, 0)),
        tf.equal(tf.reshape(x, [4, 32, 96]), tf.reshape(rows, [4, 32, 1])),
        tf.grad((v: tf.Tensor) => tf.sum(tf.logSumExp(v, 1)))(x),
      ]);
    const [wasm, native] = await onBoth(f);
    for (let i = 0; i < wasm.length; i++) {
      assert.deepEqual(native[i].dtype, wasm[i].dtype, `output ${i}: dtype`);
      assert.deepEqual(native[i].shape, wasm[i].shape, `output ${i}: shape`);
      assert.deepEqual(await native[i].data(), await wasm[i].data(), `output ${i}: values`);
    }
    // and they are the right booleans: each row has its max at least once
    const hits = await tf.sum(tf.cast(native[0], "int32"), 1).data();
    assert.ok(hits.every((n) => n >= 1));
    assert.ok((await tf.sum(tf.cast(native[0], "int32")).data())[0] < 128 * 96 / 4);
    tf.dispose([x, rows, ...wasm, ...native]);
  },
});

Deno.test({
  name: "`selectBackend('native')` element-wise kernels give wasm's bytes, broadcasts included",
  ignore: !available,
  fn: async () => {
    await selectBackend("wasm", { log: null });
    const x = tf.randomNormal([4, 129, 131, 64], 0, 1, "float32", 5);
    const y = tf.randomNormal([4, 129, 131, 64], 0, 1, "float32", 6);
    const bias = tf.randomNormal([64], 0, 1, "float32", 7);
    const column = tf.randomNormal([4 * 129 * 131, 1], 0, 1, "float32", 8);
    const f = () =>
      tf.tidy(() => {
        const flat = tf.reshape(x, [-1, 64]);
        return [
          tf.relu(x),
          tf.square(x),
          tf.add(x, y),
          tf.add(x, bias),
          tf.add(bias, x), // broadcast operand first: swapped
          tf.mul(tf.scalar(0.3), x),
          tf.sub(x, bias),
          tf.sub(bias, x), // not a row broadcast of the first operand: wasm's kernel
          tf.mul(flat, column), // a column broadcast: wasm's kernel
          tf.step(x), // ReLU's gradient mask
          tf.sqrt(tf.abs(x)),
          tf.div(x, tf.add(tf.abs(y), 1)),
          tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), y)))(x),
        ];
      });
    const [wasm, native] = await onBoth(f);
    for (let i = 0; i < wasm.length; i++) {
      assert.deepEqual(native[i].shape, wasm[i].shape, `output ${i}: shape`);
      assert.deepEqual(await native[i].data(), await wasm[i].data(), `output ${i}: values`);
    }
    // and they are the right values: relu(x) >= 0, x - bias + bias = x up to rounding
    const back = tf.add(native[6], bias);
    assert.ok(await maxAbsDiff(back, x) < 1e-5);
    back.dispose();
    tf.dispose([x, y, bias, column, ...wasm, ...native]);
  },
});

Deno.test({
  name: "`selectBackend('native')` gives wasm's results on shapes large enough for every thread",
  ignore: !available,
  fn: async () => {
    // 16 x 64 x 64 x 64: a 3 x 3 convolution of 2.4G multiply-adds, BatchNorm of 4.2M values,
    // both above the work from which oneDNN runs on every thread
    const x = tf.randomNormal([16, 64, 64, 64], 0, 1, "float32", 1) as tf.Tensor4D;
    const w = tf.randomNormal([3, 3, 64, 64], 0, 0.05, "float32", 2) as tf.Tensor4D;
    const dy = tf.randomNormal([16, 64, 64, 64], 0, 1, "float32", 3) as tf.Tensor4D;
    const weight = tf.randomUniform([64], 0.5, 1.5, "float32", 4);
    const bias = tf.randomNormal([64], 0, 1, "float32", 5);
    const conv = () =>
      tf.tidy(() => {
        const f = (v: tf.Tensor, k: tf.Tensor) =>
          tf.sum(tf.mul(tf.conv2d(v as tf.Tensor4D, k as tf.Tensor4D, 1, 1), dy));
        return [tf.conv2d(x, w, 1, 1), ...tf.grads(f)([x, w])];
      });
    const [wasm, native] = await onBoth(conv);
    for (const [i, name] of ["y", "dx", "dw"].entries()) {
      const scale = (await tf.max(tf.abs(wasm[i])).data())[0];
      const e = await maxAbsDiff(native[i], wasm[i]) / scale;
      assert.ok(e < 1e-4, `convolution ${name}: ${e} of the largest`); // 65,536-term sums
    }
    // BatchNorm against moments taken by ops
    const [y, mean, variance] = tf.engine().runKernel(
      "SimCLRBatchNormTrain",
      { x, weight, bias },
      { epsilon: 1e-5 },
    ) as tf.Tensor[];
    const expected = tf.tidy(() => {
      const m = tf.moments(x, [0, 1, 2]);
      const normalised = tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-5)));
      return [tf.add(tf.mul(normalised, weight), bias), m.mean, m.variance];
    });
    for (const [i, t] of [y, mean, variance].entries()) {
      assert.ok(await maxAbsDiff(t, expected[i]) < 1e-4, `BatchNorm output ${i}`);
    }
    tf.dispose([x, w, dy, weight, bias, ...wasm, ...native, y, mean, variance, ...expected]);
  },
});

Deno.test({
  name: "`selectBackend('native')` takes ReLU's gradient from its output in one kernel",
  ignore: !available,
  fn: async () => {
    await selectBackend("wasm", { log: null });
    // odd sizes, one below the size from which the element-wise kernels run on oneDNN; exact
    // zeros in x (the mask is y > 0, as tfjs's step(x) is x > 0)
    for (const shape of [[3, 17, 19, 5], [7]]) {
      const x = tf.tidy(() => {
        const r = tf.randomNormal(shape, 0, 1, "float32", 3);
        return tf.where(tf.less(tf.abs(r), 0.1), tf.zerosLike(r), r);
      });
      const dy = tf.randomNormal(shape, 0, 1, "float32", 4);
      const [wasm, native] = await onBoth(() =>
        tf.tidy(() => {
          const y = tf.relu(x);
          return tf.getBackend() === "wasm"
            ? tf.mul(dy, tf.cast(tf.step(x), "float32")) // tfjs's gradient of Relu
            : tf.engine().runKernel(RELU_GRAD, { dy, y }) as tf.Tensor;
        })
      );
      const [xs, dys, got] = [await x.data(), await dy.data(), await native.data()];
      for (let i = 0; i < xs.length; i++) {
        const expected = xs[i] > 0 ? dys[i] : 0;
        if (got[i] !== expected) assert.fail(`[${shape}] ${i}: ${got[i]}, expected ${expected}`);
      }
      assert.equal(await maxAbsDiff(native, wasm), 0, `[${shape}]: differs from wasm's`);
      const before = tf.memory().numTensors;
      tf.dispose(tf.engine().runKernel(RELU_GRAD, { dy, y: x }) as tf.Tensor);
      assert.equal(tf.memory().numTensors, before, "tensors leaked");
      tf.dispose([x, dy, wasm, native]);
    }
  },
});

Deno.test({
  name: "`selectBackend('native')` clones and casts to the same dtype by sharing the bytes",
  ignore: !available,
  fn: async () => {
    await selectBackend("native", { log: null });
    const x = tf.randomNormal([5, 7, 9], 0, 1, "float32", 9);
    const values = await x.data();
    const before = tf.memory().numTensors;
    const copies = [tf.clone(x), tf.cast(x, "float32"), x.clone()];
    x.dispose(); // the copies keep the bytes
    for (const c of copies) {
      assert.deepEqual(c.shape, [5, 7, 9]);
      assert.deepEqual(await c.data(), values);
    }
    // a cast to another dtype converts (wasm's kernel)
    const ints = tf.tidy(() => tf.tensor1d([1.7, -2.2, 3], "float32").cast("int32"));
    assert.deepEqual([...await ints.data()], [1, -2, 3]);
    assert.equal(ints.dtype, "int32");
    // and the engine's clones of saved tensors keep gradients right
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), v)))(copies[0]);
    assert.deepEqual(await g.data(), values.map((v) => v > 0 ? 2 * v : 0));
    tf.dispose([...copies, ints, g]);
    assert.equal(tf.memory().numTensors, before - 1, "tensors leaked");
  },
});

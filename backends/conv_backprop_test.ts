import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { conv2dFilterGradient, conv2dInputGradient } from "./conv_backprop.ts";
import {
  disposeCases,
  kernelFilterGrad,
  kernelInputGrad,
  loadConvCases,
  maxAbsDiff,
} from "./_test_utils.ts";

await tf.setBackend("cpu");
const TOL = 1e-4;

Deno.test("`conv2dFilterGradient()` equals PyTorch and the stock cpu kernel", async () => {
  const cases = loadConvCases();
  let worst = 0;
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const stock = kernelFilterGrad(c);
    const viaConv = conv2dFilterGradient(c.x, c.dy, c.w.shape, c.stride, c.pad);
    assert.equal(tf.memory().numTensors, before + 2, `${c.name}: intermediates leaked`);
    const e = Math.max(await maxAbsDiff(viaConv, c.dw), await maxAbsDiff(viaConv, stock));
    assert.ok(e < TOL, `${c.name}: max error ${e}`);
    worst = Math.max(worst, e);
    tf.dispose([stock, viaConv]);
  }
  disposeCases(cases);
  console.log(`filter gradient max error vs torch/stock: ${worst.toExponential(2)}`);
});

Deno.test("`conv2dInputGradient()` equals PyTorch and the stock cpu kernel", async () => {
  const cases = loadConvCases();
  let worst = 0;
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const stock = kernelInputGrad(c);
    const viaConv = conv2dInputGradient(c.x.shape, c.dy, c.w, c.stride, c.pad);
    assert.equal(tf.memory().numTensors, before + 2, `${c.name}: intermediates leaked`);
    const e = Math.max(await maxAbsDiff(viaConv, c.dx), await maxAbsDiff(viaConv, stock));
    assert.ok(e < TOL, `${c.name}: max error ${e}`);
    worst = Math.max(worst, e);
    tf.dispose([stock, viaConv]);
  }
  disposeCases(cases);
  console.log(`input gradient max error vs torch/stock: ${worst.toExponential(2)}`);
});

Deno.test("`conv2dInputGradient()` handles padding larger than the kernel by cropping", async () => {
  // explicit padding 4 around a 3x3 kernel: the flipped convolution needs a negative pad
  const x = tf.randomUniform([1, 5, 5, 2], -1, 1, "float32", 1) as tf.Tensor4D;
  const w = tf.randomUniform([3, 3, 2, 3], -1, 1, "float32", 2) as tf.Tensor4D;
  const pad: [[number, number], [number, number], [number, number], [number, number]] = [
    [0, 0],
    [4, 1],
    [0, 4],
    [0, 0],
  ];
  const y = tf.conv2d(x, w, 1, pad);
  const dy = tf.randomUniform(y.shape, -1, 1, "float32", 3) as tf.Tensor4D;
  const c = { name: "big pad", stride: 1, pad, x, w, dy, dx: x, dw: w };
  const stockX = kernelInputGrad(c), stockW = kernelFilterGrad(c);
  const fastX = conv2dInputGradient(x.shape, dy, w, 1, pad);
  const fastW = conv2dFilterGradient(x, dy, w.shape, 1, pad);
  assert.ok((await maxAbsDiff(stockX, fastX)) < TOL);
  assert.ok((await maxAbsDiff(stockW, fastW)) < TOL);
  tf.dispose([x, w, y, dy, stockX, stockW, fastX, fastW]);
});

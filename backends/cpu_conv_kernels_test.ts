import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { registerFastCpuKernels, unregisterFastCpuKernels } from "./cpu_conv_kernels.ts";
import {
  disposeCases,
  kernelFilterGrad,
  kernelInputGrad,
  loadConvCases,
  maxAbsDiff,
  tapeGrads,
} from "./_test_utils.ts";

await tf.setBackend("cpu");
const TOL = 1e-4;

Deno.test("`registerFastCpuKernels()` gives PyTorch's and the stock kernels' results", async () => {
  const cases = loadConvCases();
  const dilated = (c: (typeof cases)[number]) => tf.conv2d(c.x, c.w, 1, c.pad, "NHWC", 2);
  const stock = cases.map((c) => [
    tf.conv2d(c.x, c.w, c.stride, c.pad),
    kernelFilterGrad(c),
    kernelInputGrad(c),
    dilated(c),
  ]);
  const stockConv = tf.getKernel("Conv2D", "cpu");
  registerFastCpuKernels();
  registerFastCpuKernels();
  assert.notEqual(tf.getKernel("Conv2D", "cpu"), stockConv);
  let worst = 0;
  for (const [i, c] of cases.entries()) {
    const before = tf.memory().numTensors;
    const y = tf.conv2d(c.x, c.w, c.stride, c.pad);
    const dw = kernelFilterGrad(c);
    const dx = kernelInputGrad(c);
    const [tdx, tdw] = tapeGrads(c);
    const [fdx, fdw] = tapeGrads(c, true);
    const yd = dilated(c);
    assert.equal(tf.memory().numTensors, before + 8, `${c.name}: tensors leaked`);
    const errors = [
      await maxAbsDiff(y, stock[i][0]),
      await maxAbsDiff(dw, stock[i][1]),
      await maxAbsDiff(dx, stock[i][2]),
      await maxAbsDiff(dw, c.dw),
      await maxAbsDiff(dx, c.dx),
      await maxAbsDiff(tdw, c.dw),
      await maxAbsDiff(tdx, c.dx),
      await maxAbsDiff(fdw, c.dw),
      await maxAbsDiff(fdx, c.dx),
      await maxAbsDiff(yd, stock[i][3]),
    ];
    const e = Math.max(...errors);
    assert.ok(e < TOL, `${c.name}: max error ${e} (${errors})`);
    worst = Math.max(worst, e);
    tf.dispose([y, dw, dx, tdx, tdw, fdx, fdw, yd]);
  }
  unregisterFastCpuKernels();
  assert.equal(tf.getKernel("Conv2D", "cpu"), stockConv);
  unregisterFastCpuKernels();
  tf.dispose(stock.flat());
  disposeCases(cases);
  console.log(`cpu fast kernels max error vs torch/stock: ${worst.toExponential(2)}`);
});

Deno.test("`registerFastCpuKernels()` kernels reject NCHW with a RangeError", () => {
  registerFastCpuKernels();
  const x = tf.zeros([1, 2, 4, 4]) as tf.Tensor4D;
  const w = tf.zeros([3, 3, 2, 1]) as tf.Tensor4D;
  assert.throws(() => tf.conv2d(x, w, 1, "same", "NCHW"), {
    name: "RangeError",
    message: 'Conv2D(): attrs.dataFormat is "NCHW": expected "NHWC" (fast cpu convolutions)',
  });
  tf.dispose([x, w]);
  unregisterFastCpuKernels();
});

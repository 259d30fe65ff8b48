import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import {
  conv2dFilterGradient,
  conv2dFilterGradientIm2col,
  conv2dIm2col,
  conv2dInputGradient,
  type Conv2DPadding,
  im2colConv,
} from "./conv_backprop.ts";

await tf.setBackend("cpu");

/** Shapes covering strides 1/2, same/valid/explicit padding, 1x1, 3x3, 7x7, odd sizes. */
export const CASES: {
  name: string;
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: Conv2DPadding;
}[] = [
  { name: "3x3 s1 same", x: [2, 7, 7, 3], k: 3, cout: 4, stride: 1, pad: "same" },
  { name: "3x3 s2 same even", x: [2, 8, 8, 3], k: 3, cout: 4, stride: 2, pad: "same" },
  { name: "3x3 s2 same odd", x: [2, 9, 9, 2], k: 3, cout: 3, stride: 2, pad: "same" },
  { name: "3x3 s2 explicit 1", x: [2, 9, 8, 3], k: 3, cout: 4, stride: 2, pad: 1 },
  { name: "3x3 s1 valid", x: [1, 7, 6, 2], k: 3, cout: 2, stride: 1, pad: "valid" },
  { name: "3x3 s2 valid odd", x: [2, 10, 9, 2], k: 3, cout: 3, stride: 2, pad: "valid" },
  { name: "1x1 s1", x: [2, 5, 5, 4], k: 1, cout: 3, stride: 1, pad: "valid" },
  { name: "1x1 s2 even", x: [2, 8, 8, 4], k: 1, cout: 3, stride: 2, pad: "valid" },
  { name: "1x1 s2 odd", x: [2, 7, 7, 4], k: 1, cout: 3, stride: 2, pad: "valid" },
  { name: "7x7 s2 explicit 3", x: [2, 17, 16, 3], k: 7, cout: 4, stride: 2, pad: 3 },
  {
    name: "7x7 s2 explicit asym",
    x: [1, 15, 15, 3],
    k: 7,
    cout: 2,
    stride: 2,
    pad: [[0, 0], [3, 2], [2, 3], [0, 0]],
  },
  { name: "5x5 s1 same", x: [1, 9, 9, 2], k: 5, cout: 2, stride: 1, pad: "same" },
];

/** The backend's own Conv2DBackpropFilter kernel. */
export function stockFilterGrad(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: number[],
  strides: number,
  pad: Conv2DPadding,
): tf.Tensor4D {
  return tf.engine().runKernel(
    "Conv2DBackpropFilter",
    { x, dy },
    { strides, pad, dataFormat: "NHWC", filterShape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** The backend's own Conv2DBackpropInput kernel. */
export function stockInputGrad(
  inputShape: number[],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number,
  pad: Conv2DPadding,
): tf.Tensor4D {
  return tf.engine().runKernel(
    "Conv2DBackpropInput",
    { dy, filter },
    { strides, pad, dataFormat: "NHWC", inputShape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

function seeded(shape: number[], seed: number): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, "float32", seed);
}

async function maxAbs(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  assert.deepEqual(a.shape, b.shape);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

Deno.test("`conv2dFilterGradient()` equals the stock Conv2DBackpropFilter kernel", async () => {
  for (const c of CASES) {
    const before = tf.memory().numTensors;
    const x = seeded(c.x, 1) as tf.Tensor4D;
    const fs: [number, number, number, number] = [c.k, c.k, c.x[3], c.cout];
    const y = tf.conv2d(x, tf.zeros(fs) as tf.Tensor4D, c.stride, c.pad);
    const dy = seeded(y.shape, 2) as tf.Tensor4D;
    const stock = stockFilterGrad(x, dy, fs, c.stride, c.pad);
    const fast = conv2dFilterGradient(x, dy, fs, c.stride, c.pad);
    const fast2 = conv2dFilterGradientIm2col(x, dy, fs, c.stride, c.pad);
    assert.ok((await maxAbs(stock, fast)) < 1e-4, c.name);
    assert.ok((await maxAbs(stock, fast2)) < 1e-4, c.name);
    tf.dispose([x, y, dy, stock, fast, fast2]);
    tf.disposeVariables();
    assert.ok(tf.memory().numTensors <= before + 1, `${c.name}: leak`);
  }
});

Deno.test("`conv2dInputGradient()` equals the stock Conv2DBackpropInput kernel", async () => {
  for (const c of CASES) {
    const x = seeded(c.x, 3) as tf.Tensor4D;
    const w = seeded([c.k, c.k, c.x[3], c.cout], 4) as tf.Tensor4D;
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const dy = seeded(y.shape, 5) as tf.Tensor4D;
    const before = tf.memory().numTensors;
    const stock = stockInputGrad(c.x, dy, w, c.stride, c.pad);
    const fast = conv2dInputGradient(c.x, dy, w, c.stride, c.pad);
    const fast2 = conv2dInputGradient(c.x, dy, w, c.stride, c.pad, undefined, im2colConv);
    assert.equal(tf.memory().numTensors, before + 3, `${c.name}: leak`);
    assert.ok((await maxAbs(stock, fast)) < 1e-4, c.name);
    assert.ok((await maxAbs(stock, fast2)) < 1e-4, c.name);
    tf.dispose([x, w, y, dy, stock, fast, fast2]);
  }
});

Deno.test("`conv2dIm2col()` equals tf.conv2d", async () => {
  for (const c of CASES) {
    const x = seeded(c.x, 6) as tf.Tensor4D;
    const w = seeded([c.k, c.k, c.x[3], c.cout], 7) as tf.Tensor4D;
    const stock = tf.conv2d(x, w, c.stride, c.pad);
    const fast = conv2dIm2col(x, w, c.stride, c.pad);
    assert.ok((await maxAbs(stock, fast)) < 1e-4, c.name);
    tf.dispose([x, w, stock, fast]);
  }
});

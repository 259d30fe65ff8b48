// Copyright 2026 the simclr authors. MIT license.
// Test helpers: PyTorch reference convolution gradients (tools/make_conv_grad_fixtures.py) and
// the backends' stock kernels.
import * as tf from "@tensorflow/tfjs-core";
import type { Conv2DPadding } from "./conv_backprop.ts";

/** One PyTorch reference case: NHWC x, HWIO w, output gradient dy, and torch's dx, dw. */
export interface ConvCase {
  name: string;
  stride: number;
  pad: Conv2DPadding;
  x: tf.Tensor4D;
  w: tf.Tensor4D;
  dy: tf.Tensor4D;
  dx: tf.Tensor4D;
  dw: tf.Tensor4D;
}

interface Entry {
  shape: number[];
  offset: number;
  length: number;
}

/** Loads every case as tensors (caller disposes). */
export function loadConvCases(): ConvCase[] {
  const dir = new URL("./testdata/", import.meta.url);
  const meta = JSON.parse(Deno.readTextFileSync(new URL("conv_grads.json", dir)));
  const bytes = Deno.readFileSync(new URL("conv_grads.bin", dir));
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return meta.cases.map((c: Record<string, unknown>) => {
    const t = (k: string) => {
      const e = c[k] as Entry;
      const shape = e.shape as [number, number, number, number];
      return tf.tensor4d(all.slice(e.offset, e.offset + e.length), shape);
    };
    return {
      name: c.name as string,
      stride: c.stride as number,
      pad: c.pad as Conv2DPadding,
      x: t("x"),
      w: t("w"),
      dy: t("dy"),
      dx: t("dx"),
      dw: t("dw"),
    };
  });
}

/** Disposes the tensors of cases. */
export function disposeCases(cases: ConvCase[]): void {
  for (const c of cases) tf.dispose([c.x, c.w, c.dy, c.dx, c.dw]);
}

/** Largest absolute difference, after checking the shapes agree. */
export async function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): Promise<number> {
  if (a.shape.join() !== b.shape.join()) {
    throw new RangeError(`shapes differ: [${a.shape}] vs [${b.shape}]`);
  }
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))));
  const v = (await d.data())[0];
  d.dispose();
  return v;
}

/** Gradients of `sum(conv2d(x, w) * dy)` with respect to x and w through the tape. */
export function tapeGrads(c: ConvCase, fused = false): [tf.Tensor4D, tf.Tensor4D] {
  const f = (x: tf.Tensor, w: tf.Tensor) => {
    const y = fused
      ? tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: c.stride,
        pad: c.pad,
      })
      : tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad);
    return tf.sum(tf.mul(y, c.dy));
  };
  return tf.grads(f)([c.x, c.w]) as [tf.Tensor4D, tf.Tensor4D];
}

/** Runs the active backend's registered Conv2DBackpropFilter kernel. */
export function kernelFilterGrad(c: ConvCase): tf.Tensor4D {
  return tf.engine().runKernel(
    "Conv2DBackpropFilter",
    { x: c.x, dy: c.dy },
    {
      strides: c.stride,
      pad: c.pad,
      dataFormat: "NHWC",
      filterShape: c.w.shape,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

/** Runs the active backend's registered Conv2DBackpropInput kernel. */
export function kernelInputGrad(c: ConvCase): tf.Tensor4D {
  return tf.engine().runKernel(
    "Conv2DBackpropInput",
    { dy: c.dy, filter: c.w },
    {
      strides: c.stride,
      pad: c.pad,
      dataFormat: "NHWC",
      inputShape: c.x.shape,
    } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor4D;
}

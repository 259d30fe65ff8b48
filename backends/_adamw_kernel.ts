// Copyright 2026 the simclr authors. MIT license.
// Internal: AdamW's update of one parameter as one kernel on tfjs-wasm's heap (the native
// backend's `SimCLRAdamW`, which train/adamw.ts runs where it is registered). The op path is
// 16 kernels and 3 assignments per parameter; at the demo preset's width a step's many small
// parameters made that a fifth of the step, nearly all dispatch. A JavaScript pass costs about
// 19 ns a value, so train/adamw.ts runs it for small parameters only.
import * as tf from "@tensorflow/tfjs-core";
import { heapView, type WasmBackend } from "./_wasm_heap.ts";

/** The kernel's name (train/adamw.ts runs it where the active backend has it). */
export const ADAMW = "SimCLRAdamW";

/** The scalars of one update, as the op path rounds them to float32. */
interface AdamWAttrs {
  beta1: number;
  beta2: number;
  /** `lr * weightDecay`, 0 for a parameter without decay. */
  decay: number;
  /** `sqrt(1 - beta2^t)`. */
  sqrtCorrection2: number;
  eps: number;
  /** `lr / (1 - beta1^t)`. */
  stepSize: number;
}

const f32 = Math.fround;

/**
 * `[param, expAvg, expAvgSq]` after one step, from `param`, `grad` and the moments: the op
 * path's float32 operations in its order, each rounded (`Math.fround` after each operation
 * of doubles is float32 arithmetic exactly, for `+ - * /` and `sqrt`), so the bytes are the
 * op path's.
 */
export const adamWKernel: tf.KernelFunc = (args) => {
  const backend = args.backend as WasmBackend;
  const { param, grad, expAvg, expAvgSq } = args.inputs as Record<string, tf.TensorInfo>;
  const a = args.attrs as unknown as AdamWAttrs;
  for (const t of [param, grad, expAvg, expAvgSq]) {
    if (t.dtype !== "float32" || !tf.util.arraysEqual(t.shape, param.shape)) {
      throw new Error(
        `${ADAMW}: expected float32 tensors of one shape, got ${t.dtype} [${t.shape}]`,
      );
    }
  }
  const outputs = [0, 1, 2].map(() => backend.makeOutput(param.shape, "float32"));
  // views after every allocation: the heap may have grown
  const [p, g, m0, v0] = [param, grad, expAvg, expAvgSq].map((t) =>
    heapView(backend, t) as Float32Array
  );
  const [p1, m1, v1] = outputs.map((t) => heapView(backend, t) as Float32Array);
  const [beta1, rest1] = [f32(a.beta1), f32(1 - a.beta1)];
  const [beta2, rest2] = [f32(a.beta2), f32(1 - a.beta2)];
  const [keep, root2, eps, size] = [
    f32(1 - a.decay),
    f32(a.sqrtCorrection2),
    f32(a.eps),
    f32(a.stepSize),
  ];
  const decays = a.decay !== 0;
  for (let i = 0; i < p.length; i++) {
    const gi = g[i];
    const m = f32(f32(m0[i] * beta1) + f32(gi * rest1));
    const v = f32(f32(v0[i] * beta2) + f32(f32(gi * gi) * rest2));
    const denominator = f32(f32(f32(Math.sqrt(v)) / root2) + eps);
    const update = f32(f32(m / denominator) * size);
    p1[i] = f32((decays ? f32(p[i] * keep) : p[i]) - update);
    m1[i] = m;
    v1[i] = v;
  }
  return outputs;
};

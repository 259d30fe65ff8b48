// Copyright 2026 the simclr authors. MIT license.
// Internal: the pieces shared by the two ways of splitting a step's batch (gradient caching
// over time, data-parallel replicas over processes): which rows of the batch's outputs a part
// owns, and the loss's gradient with respect to the outputs.
import * as tf from "@tensorflow/tfjs-core";
import { sha256Hex } from "@simclr/internal/sha256";
import type { Module } from "@simclr/models/module";
import type { LossOutput } from "./train_step.ts";

/** A part of a batch: images `start .. start + count - 1`. */
export interface BatchPart {
  /** Index of its first image in the batch. */
  start: number;
  /** Its number of images. */
  count: number;
}

/** `batchSize` images cut into `parts` consecutive parts of sizes differing by at most one. */
export function splitBatch(batchSize: number, parts: number): BatchPart[] {
  const out: BatchPart[] = [];
  for (let p = 0, start = 0; p < parts; p++) {
    const count = Math.floor(batchSize / parts) + (p < batchSize % parts ? 1 : 0);
    out.push({ start, count });
    start += count;
  }
  return out;
}

/**
 * The rows of the batch's outputs that a part owns. Outputs are view-major over the whole
 * batch (`[view 0 of images 0..B-1, view 1 of ...]`) and view-major within the part, so the
 * part's local row `v * count + i` is the batch's row `v * batchSize + start + i`.
 */
export function partRows(part: BatchPart, batchSize: number, nViews: number): Int32Array {
  const rows = new Int32Array(nViews * part.count);
  for (let v = 0; v < nViews; v++) {
    for (let i = 0; i < part.count; i++) rows[v * part.count + i] = v * batchSize + part.start + i;
  }
  return rows;
}

/** The loss of the batch's outputs, its metrics, and its gradient with respect to them. */
export interface OutputGradient {
  loss: tf.Scalar;
  metrics: Record<string, tf.Scalar>;
  /** dLoss / dOutputs, the outputs' shape. */
  gradient: tf.Tensor2D;
}

/** Runs `loss` on the batch's outputs (a constant here) and differentiates it with respect to them. */
export function outputGradient(
  outputs: tf.Tensor2D,
  loss: (outputs: tf.Tensor2D) => LossOutput,
): OutputGradient {
  let metrics: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.valueAndGrads((z: tf.Tensor) => {
    const out = loss(z as tf.Tensor2D);
    metrics = out.metrics ?? {};
    Object.values(metrics).forEach((m) => tf.keep(m)); // outlive valueAndGrads' tidy
    return out.loss;
  })([outputs]);
  return { loss: value as tf.Scalar, metrics, gradient: grads[0] as tf.Tensor2D };
}

/** A digest of a model's parameters (their bytes, in `parameters()` order): equal iff equal. */
export async function parameterDigest(
  model: Pick<Module<tf.Tensor, tf.Tensor>, "parameters">,
): Promise<string> {
  const parts: Uint8Array[] = [];
  for (const v of model.parameters().values()) {
    const values = await v.data();
    parts.push(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return await sha256Hex(bytes);
}

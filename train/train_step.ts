// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import type { Module } from "@simclr/models/module";
import type { AdamW } from "./adamw.ts";
import { NonFiniteLossError } from "./non_finite_loss_error.ts";

/** What a loss function computes: the loss to minimise and metrics to log. */
export interface LossOutput {
  /** The scalar loss. */
  loss: tf.Scalar;
  /** Scalars to log beside the loss, by metric name (e.g. `acc_top5`). */
  metrics?: Record<string, tf.Scalar>;
}

/**
 * A loss of the model's parameters: runs the model and returns the loss (and metrics). It runs
 * on the gradient tape, so it should hold only what needs gradients: prepare the inputs (e.g.
 * the augmented views) before, outside it.
 */
export type LossFn = () => LossOutput;

/** The gradients of a loss with respect to a model's parameters. */
export interface Gradients {
  /** The loss. */
  loss: tf.Scalar;
  /** The metrics the loss function returned. */
  metrics: Record<string, tf.Scalar>;
  /** The gradient of each parameter, by the parameter's name in `model.parameters()`. */
  grads: Map<string, tf.Tensor>;
}

/**
 * The gradients of `lossFn` with respect to every parameter of `model`, keyed by parameter
 * name (as the optimiser and the state dict name them), with the loss and the metrics. The
 * intermediates of the forward pass are freed; the caller disposes what is returned.
 *
 * @param model The model whose `parameters()` are differentiated.
 * @param lossFn The loss, computed from the model's current parameters.
 * @returns The loss, the metrics and the gradients by parameter name.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { MLPHead } from "@simclr/models";
 * import { computeGradients } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const head = new MLPHead([2, 1]);
 * const x = tf.tensor2d([[1, 2]]);
 * // loss = sum(x W + b), so dL/dW = x^T and dL/db = 1
 * const { loss, grads } = computeGradients(head, () => ({ loss: tf.sum(head.apply(x)) as tf.Scalar }));
 * assert.deepEqual([...grads.keys()], ["weight", "bias"]);
 * assert.deepEqual(Array.from(await grads.get("weight")!.data()), [1, 2]);
 * assert.deepEqual(Array.from(await grads.get("bias")!.data()), [1]);
 * tf.dispose([x, loss, ...grads.values()]);
 * head.dispose();
 * ```
 */
export function computeGradients(
  model: Pick<Module<tf.Tensor, tf.Tensor>, "parameters">,
  lossFn: LossFn,
): Gradients {
  const params = model.parameters();
  const nameOf = new Map([...params].map(([name, v]) => [v.name, name]));
  let metrics: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const out = lossFn();
    metrics = out.metrics ?? {};
    Object.values(metrics).forEach((m) => tf.keep(m)); // outlive variableGrads' tidy
    return out.loss;
  }, [...params.values()]);
  // variableGrads keys gradients by tfjs variable name; the optimiser speaks parameter names.
  const named = new Map(Object.entries(grads).map(([id, g]) => [nameOf.get(id)!, g]));
  return { loss: value, metrics, grads: named };
}

/** What {@linkcode trainStep} returns: the step's loss and metrics as numbers. */
export interface StepResult {
  /** The loss before the update. */
  loss: number;
  /** The metrics before the update, by name. */
  metrics: Record<string, number>;
}

/**
 * Applies computed gradients: reads the loss and the metrics back (one read for all of them,
 * asynchronously, so it works on WebGPU), steps `optimizer` when the loss is finite, and frees
 * every tensor of `gradients`. A NaN or infinite loss, or gradients of a finite loss that are
 * not finite (their sum, read with the loss: one fused reduction, not a read per tensor), leave
 * the parameters as they were and throw a {@linkcode NonFiniteLossError}.
 *
 * @param optimizer The optimiser of the parameters the gradients belong to.
 * @param gradients What {@linkcode computeGradients} (or `cachedGradients`) returned; freed here.
 * @returns The loss and the metrics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { MLPHead } from "@simclr/models";
 * import { AdamW, applyGradients, computeGradients } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const head = new MLPHead([2, 1]);
 * const optimizer = new AdamW(head.parameters(), { lr: 0.1 });
 * const x = tf.tensor2d([[1, 2]]);
 * const gradients = computeGradients(head, () => ({ loss: tf.sum(head.apply(x)) as tf.Scalar }));
 * const { loss } = await applyGradients(optimizer, gradients);
 * assert.ok(Number.isFinite(loss));
 * assert.equal(optimizer.stepCount, 1);
 * tf.dispose(x);
 * optimizer.dispose();
 * head.dispose();
 * ```
 */
export async function applyGradients(
  optimizer: AdamW,
  gradients: Gradients,
): Promise<StepResult> {
  const { loss, metrics, grads } = gradients;
  const names = Object.keys(metrics);
  try {
    // One read for the loss, the metrics and the sum of every gradient (a NaN or Inf anywhere
    // makes the sum non-finite): no read per tensor.
    const packed = tf.tidy(() => {
      const sums = [...grads.values()].map((g) => tf.sum(g));
      const gradientSum = sums.length ? tf.addN(sums) : tf.scalar(0);
      return tf.stack([loss, gradientSum, ...names.map((n) => metrics[n])]);
    });
    const values = await packed.data(); // async: webgpu has no dataSync
    packed.dispose();
    if (!Number.isFinite(values[0])) throw new NonFiniteLossError(values[0]);
    if (!Number.isFinite(values[1])) {
      throw new NonFiniteLossError(values[1], undefined, { quantity: "gradients" });
    }
    optimizer.step(grads);
    return {
      loss: values[0],
      metrics: Object.fromEntries(names.map((n, i) => [n, values[i + 2]])),
    };
  } finally {
    tf.dispose([loss, ...Object.values(metrics), ...grads.values()]);
  }
}

/**
 * One optimisation step: the gradients of `lossFn` ({@linkcode computeGradients}), one step of
 * `optimizer`, and the loss and metrics read back ({@linkcode applyGradients}). When the loss
 * is NaN or infinite the parameters are left as they were and a {@linkcode NonFiniteLossError}
 * is thrown. Every tensor of the step is freed.
 *
 * @param model The model being trained.
 * @param optimizer An optimiser over `model.parameters()`.
 * @param lossFn The loss, computed from the model's current parameters (views prepared
 *   outside it).
 * @returns The loss and the metrics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { simclrNet } from "@simclr/models";
 * import { AdamW, contrastiveLoss, trainStep } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
 * const views = tf.randomNormal([8, 8, 8, 3]) as tf.Tensor4D; // 2 views of 4 images
 * const { loss, metrics } = await trainStep(model, optimizer, () => contrastiveLoss(model, views));
 * assert.ok(loss > 0);
 * assert.deepEqual(Object.keys(metrics), ["acc_top1", "acc_top5", "acc_mean_pos"]);
 * views.dispose();
 * optimizer.dispose();
 * model.dispose();
 * ```
 */
export async function trainStep(
  model: Pick<Module<tf.Tensor, tf.Tensor>, "parameters">,
  optimizer: AdamW,
  lossFn: LossFn,
): Promise<StepResult> {
  return await applyGradients(optimizer, computeGradients(model, lossFn));
}

// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { checkInteger } from "@simclr/internal/checks";
import type { Module } from "@simclr/models/module";
import { computeGradients, type Gradients, type LossOutput } from "./train_step.ts";
import { outputGradient, partRows, splitBatch } from "./_output_gradients.ts";

/** Options of {@linkcode cachedGradients}. */
export interface CachedGradientsOptions {
  /** Images in the batch. */
  batchSize: number;
  /** Chunks the batch is run in (at most `batchSize`). */
  chunks: number;
  /** Views per image. Default 2. */
  nViews?: number;
  /**
   * The inputs of the batch's images `start .. start + count - 1`: `[nViews * count, ...]`,
   * view-major within the chunk. Called twice per chunk (once per pass); the result is
   * disposed here.
   */
  inputs: (start: number, count: number) => tf.Tensor4D;
  /** The outputs of a chunk's inputs, e.g. `(x) => model.apply(x, { training: true })`. */
  forward: (inputs: tf.Tensor4D) => tf.Tensor2D;
  /** The loss of the whole batch's outputs, `[nViews * batchSize, D]` view-major (e.g. InfoNCE). */
  loss: (outputs: tf.Tensor2D) => LossOutput;
}

/**
 * The gradients of a loss that couples the whole batch (InfoNCE), computed in chunks so that a
 * large batch fits in little memory: gradient caching (Gao et al., 2021). First the outputs of
 * every chunk, off the gradient tape; then the loss of the whole batch and its gradient `G`
 * with respect to the outputs; then, per chunk, a forward pass on the tape and the backward
 * pass of the surrogate `sum(outputs_chunk * G_chunk)`, whose parameter gradients add up to
 * the batch's. Memory holds one chunk's activations at a time, at the cost of a second forward
 * pass.
 *
 * The result equals {@linkcode computeGradients} on the whole batch (to float rounding) for any
 * network whose outputs do not depend on the other images of the batch. BatchNorm in training
 * mode does: each chunk is normalised with its own statistics (as data-parallel training
 * without synchronised BatchNorm), and its running statistics are updated once per chunk (the
 * first pass leaves them untouched).
 *
 * @param model The model whose `parameters()` are differentiated.
 * @param options The batch, its chunks, and how to compute inputs, outputs and the loss.
 * @returns The batch's loss and metrics, and the gradients by parameter name.
 *
 * @example Chunked and whole gradients agree for a network without BatchNorm coupling
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { infoNCE } from "@simclr/losses";
 * import { simclrNet } from "@simclr/models";
 * import { cachedGradients, computeGradients } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * const images = tf.randomNormal([2, 6, 8, 8, 3], 0, 1, "float32", 1); // [views, images, ...]
 * const views = (start: number, count: number) =>
 *   tf.reshape(tf.slice(images, [0, start], [2, count]), [2 * count, 8, 8, 3]) as tf.Tensor4D;
 * const forward = (x: tf.Tensor4D) => model.apply(x, { training: false });
 * const loss = (z: tf.Tensor2D) => ({ loss: infoNCE(z).loss });
 * const whole = computeGradients(model, () => loss(forward(views(0, 6))));
 * const chunked = cachedGradients(model, { batchSize: 6, chunks: 3, inputs: views, forward, loss });
 * const g1 = await whole.grads.get("conv1.weight")!.data();
 * const g2 = await chunked.grads.get("conv1.weight")!.data();
 * assert.ok(g1.every((v, i) => Math.abs(v - g2[i]) < 1e-5));
 * tf.dispose([images, whole.loss, chunked.loss, ...whole.grads.values(), ...chunked.grads.values()]);
 * model.dispose();
 * ```
 */
export function cachedGradients(
  model: Pick<Module<tf.Tensor, tf.Tensor>, "parameters" | "buffers">,
  options: CachedGradientsOptions,
): Gradients {
  const fn = "cachedGradients()";
  const { batchSize, chunks, nViews = 2, inputs, forward, loss } = options;
  checkInteger(fn, "options.batchSize", batchSize, { min: 1 });
  checkInteger(fn, "options.chunks", chunks, { min: 1, max: batchSize });
  checkInteger(fn, "options.nViews", nViews, { min: 1 });
  const parts = splitBatch(batchSize, chunks);

  // Pass 1, off the tape: every chunk's outputs, then the batch's in view-major order. The
  // BatchNorm running statistics are put back afterwards: pass 2 updates them.
  const buffers = [...model.buffers().values()];
  const saved = buffers.map((b) => b.clone());
  const outputs = tf.tidy(() => {
    const byChunk = parts.map((p) => {
      const x = inputs(p.start, p.count);
      const z = forward(x); // [nViews * count, D], view-major
      x.dispose();
      return tf.split(z, nViews); // nViews x [count, D]
    });
    // [view 0 of every chunk, view 1 of every chunk, ...] = the batch's view-major rows
    return tf.concat(Array.from({ length: nViews }, (_, v) => byChunk.map((c) => c[v])).flat());
  }) as tf.Tensor2D;
  buffers.forEach((b, i) => b.assign(saved[i]));
  tf.dispose(saved);

  const { loss: value, metrics, gradient } = outputGradient(outputs, loss);
  outputs.dispose();

  // Pass 2, on the tape, a chunk at a time: d/dθ sum(z_chunk * G_chunk), summed over chunks.
  let total: Map<string, tf.Tensor> | null = null;
  try {
    for (const part of parts) {
      const g = tf.tidy(() =>
        tf.gather(gradient, tf.tensor1d(partRows(part, batchSize, nViews), "int32"))
      );
      const x = inputs(part.start, part.count);
      const chunk = computeGradients(
        model,
        () => ({ loss: tf.sum(tf.mul(forward(x), g)) as tf.Scalar }),
      );
      tf.dispose([x, g, chunk.loss]);
      if (total === null) {
        total = chunk.grads;
      } else {
        for (const [name, grad] of chunk.grads) {
          const sum = tf.add(total.get(name)!, grad);
          tf.dispose([total.get(name)!, grad]);
          total.set(name, sum);
        }
      }
    }
  } finally {
    gradient.dispose();
  }
  return { loss: value, metrics, grads: total! };
}

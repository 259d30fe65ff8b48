// Copyright 2026 the simclr authors. MIT license.
/**
 * Training for SimCLR on TensorFlow.js: the AdamW optimiser, learning-rate schedules, the
 * SimCLR loss of a network ({@linkcode contrastiveLoss}), one optimisation step
 * ({@linkcode trainStep}: gradients by parameter name, the optimiser step, loss and metrics
 * read back), large batches in chunks ({@linkcode cachedGradients}), exact data-parallel
 * training on workers ({@linkcode DataParallel}), the contrastive validation pass, the fit loop
 * and checkpoints.
 *
 * It registers no kernels and selects no backend: that is `@simclr/backends`' job (call its
 * `selectBackend` first; on `wasm` it also registers the convolution gradients training needs).
 * Code that trains imports the umbrella `@tensorflow/tfjs`, which registers the gradients of
 * every op.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { simclrNet } from "@simclr/models";
 * import { AdamW, contrastiveLoss, trainStep } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 8, stem: "cifar" });
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-3 });
 * const views = tf.randomNormal([8, 16, 16, 3]) as tf.Tensor4D; // 2 views of 4 images
 * const first = await trainStep(model, optimizer, () => contrastiveLoss(model, views));
 * const second = await trainStep(model, optimizer, () => contrastiveLoss(model, views));
 * assert.ok(second.loss < first.loss); // the same batch again: the loss went down
 * views.dispose();
 * optimizer.dispose();
 * model.dispose();
 * ```
 *
 * @module
 */
export * from "./adamw.ts";
export type { LRSchedule } from "./lr_schedule.ts";
export * from "./cosine_annealing_lr.ts";
export * from "./multi_step_lr.ts";
export * from "./linear_warmup.ts";
export * from "./train_step.ts";
export * from "./cached_gradients.ts";
export * from "./data_parallel.ts";
export * from "./replica_trainer.ts";
export * from "./contrastive_loss.ts";
export * from "./validate_contrastive.ts";
export * from "./non_finite_loss_error.ts";
export * from "./training_interrupted_error.ts";
export * from "./lock_run_folder.ts";
export * from "./checkpoint.ts";
export * from "./fit.ts";

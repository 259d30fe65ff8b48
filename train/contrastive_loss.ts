// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import { infoNCE } from "@simclr/losses/info-nce";
import type { Module } from "@simclr/models/module";
import type { LossOutput } from "./train_step.ts";

/** Options of {@linkcode contrastiveLoss}. */
export interface ContrastiveLossOptions {
  /** InfoNCE temperature. Default `0.07` (the tutorial's). */
  temperature?: number;
  /** Views per image in `views`. Default 2. */
  nViews?: number;
  /** BatchNorm mode: `true` for training, `false` for validation. Default `true`. */
  training?: boolean;
}

/**
 * The SimCLR loss of a batch of views: the views (stacked view-major) through the network to
 * their projections, then InfoNCE with its ranking metrics, named as the tutorial logs them
 * (`acc_top1`, `acc_top5`, `acc_mean_pos`). Use it as the loss of {@linkcode trainStep}, or
 * under `tf.tidy` for validation.
 *
 * @param model The network with its projection head (e.g. `simclrNet()`).
 * @param views `[nViews * N, H, W, 3]` augmented, normalised views.
 * @param options Temperature, views per image and BatchNorm mode.
 * @returns The loss and the metrics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { simclrNet } from "@simclr/models";
 * import { contrastiveLoss } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * const views = tf.randomNormal([8, 8, 8, 3]) as tf.Tensor4D; // 2 views of 4 images
 * const { loss, metrics } = contrastiveLoss(model, views, { training: false });
 * // 7 candidates per row: the positive ranks between 1 and 7
 * const meanPos = (await metrics!.acc_mean_pos.data())[0];
 * assert.ok(meanPos >= 1 && meanPos <= 7);
 * assert.ok((await loss.data())[0] > 0);
 * tf.dispose([views, loss, ...Object.values(metrics!)]);
 * model.dispose();
 * ```
 */
export function contrastiveLoss(
  model: Module,
  views: tf.Tensor4D,
  options: ContrastiveLossOptions = {},
): LossOutput {
  const { training = true, ...loss } = options;
  // The projections stay alive: the gradient needs them; the caller's tidy or tape frees them.
  return contrastiveObjective(model.apply(views, { training }), loss);
}

/**
 * The SimCLR loss of projections already computed: InfoNCE with the tutorial's metric names
 * (`acc_top1`, `acc_top5`, `acc_mean_pos`). {@linkcode contrastiveLoss} is this after the
 * network; chunked and data-parallel steps call it on the whole batch's gathered projections.
 *
 * @param projections `[nViews * N, D]`, view-major.
 * @param options Temperature and views per image.
 * @returns The loss and the metrics.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { contrastiveObjective } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const z = tf.tile(tf.eye(3), [2, 1]) as tf.Tensor2D; // 2 identical views of 3 images
 * const { loss, metrics } = contrastiveObjective(z, { temperature: 0.1 });
 * assert.equal((await metrics!.acc_top1.data())[0], 1);
 * tf.dispose([z, loss, ...Object.values(metrics!)]);
 * ```
 */
export function contrastiveObjective(
  projections: tf.Tensor2D,
  options: Omit<ContrastiveLossOptions, "training"> = {},
): LossOutput {
  const { temperature = 0.07, nViews = 2 } = options;
  const { loss, top1, top5, meanPos } = infoNCE(projections, { temperature, nViews });
  return { loss, metrics: { acc_top1: top1, acc_top5: top5, acc_mean_pos: meanPos } };
}

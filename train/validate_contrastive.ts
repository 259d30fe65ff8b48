// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage } from "@simclr/internal/checks";
import type { Module } from "@simclr/models/module";
import { contrastiveLoss, type ContrastiveLossOptions } from "./contrastive_loss.ts";

/**
 * The contrastive validation pass: {@linkcode contrastiveLoss} in evaluation mode (BatchNorm's
 * running statistics, no update) over batches of views, averaged over images. Each batch of
 * views is disposed once used; a batch of a single image (no negative to rank against) is
 * skipped.
 *
 * @param model The network with its projection head.
 * @param batches Batches of views `[nViews * N, H, W, 3]`, stacked view-major (the caller
 *   makes them, e.g. with `simclrViews` of `@simclr/augment`, outside any gradient tape).
 * @param options Temperature and views per image (`training` is always false here).
 * @returns `loss`, `acc_top1`, `acc_top5` and `acc_mean_pos`, each the mean over images.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { simclrNet } from "@simclr/models";
 * import { validateContrastive } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * async function* views() {
 *   for (let i = 0; i < 3; i++) yield tf.randomNormal([8, 8, 8, 3], 0, 1, "float32", i) as tf.Tensor4D;
 * }
 * const before = tf.memory().numTensors;
 * const metrics = await validateContrastive(model, views());
 * assert.deepEqual(Object.keys(metrics), ["loss", "acc_top1", "acc_top5", "acc_mean_pos"]);
 * assert.equal(tf.memory().numTensors, before);
 * model.dispose();
 * ```
 */
export async function validateContrastive(
  model: Module,
  batches: AsyncIterable<tf.Tensor4D> | Iterable<tf.Tensor4D>,
  options: Omit<ContrastiveLossOptions, "training"> = {},
): Promise<Record<string, number>> {
  const nViews = options.nViews ?? 2;
  const sums = { loss: 0, acc_top1: 0, acc_top5: 0, acc_mean_pos: 0 };
  let images = 0;
  for await (const views of batches) {
    const n = views.shape[0] / nViews;
    if (n < 2) {
      views.dispose();
      continue;
    }
    const packed = tf.tidy(() => {
      const { loss, metrics } = contrastiveLoss(model, views, { ...options, training: false });
      return tf.stack([loss, metrics!.acc_top1, metrics!.acc_top5, metrics!.acc_mean_pos]);
    });
    views.dispose();
    const [loss, top1, top5, meanPos] = await packed.data(); // async: webgpu has no dataSync
    packed.dispose();
    sums.loss += loss * n;
    sums.acc_top1 += top1 * n;
    sums.acc_top5 += top5 * n;
    sums.acc_mean_pos += meanPos * n;
    images += n;
  }
  if (images === 0) {
    throw new RangeError(
      argumentMessage(
        "validateContrastive()",
        "batches had no batch of 2 or more images",
        "at least one",
      ),
    );
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / images]));
}

import type * as tf from "@tensorflow/tfjs-core";
import { infoNCE } from "@simclr/losses";
import type { Module } from "@simclr/models";
import type { StepOutput } from "./fit.ts";

/** Options of {@linkcode contrastiveStep}. */
export interface ContrastiveStepOptions {
  /** InfoNCE temperature. Default `0.07` (the tutorial's). */
  temperature?: number;
  /** Views per image in `views`. Default 2. */
  nViews?: number;
  /** BatchNorm mode: `true` for training steps, `false` for validation. Default `true`. */
  training?: boolean;
}

/**
 * One SimCLR step: the views (stacked view-major) through the network, then the InfoNCE loss
 * with its metrics, named as the tutorial logs them (`acc_top1`, `acc_top5`, `acc_mean_pos`).
 * Use it as {@linkcode fit}'s `step`, or under `tf.tidy` for validation.
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
 * import { contrastiveStep } from "@simclr/train";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * const views = tf.randomNormal([8, 8, 8, 3]) as tf.Tensor4D; // 2 views of 4 images
 * const { loss, metrics } = contrastiveStep(model, views, { training: false });
 * console.log(loss.dataSync()[0], metrics!.acc_top5.dataSync()[0]);
 * tf.dispose([views, loss, ...Object.values(metrics!)]);
 * ```
 */
export function contrastiveStep(
  model: Module,
  views: tf.Tensor4D,
  options: ContrastiveStepOptions = {},
): StepOutput {
  const { temperature = 0.07, nViews = 2, training = true } = options;
  const features = model.apply(views, { training });
  // `features` stays alive: the gradient needs it; the caller's tidy or variableGrads frees it.
  const { loss, top1, top5, meanPos } = infoNCE(features, { temperature, nViews });
  return {
    loss,
    metrics: { acc_top1: top1, acc_top5: top5, acc_mean_pos: meanPos },
    images: views.shape[0],
  };
}

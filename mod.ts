/**
 * simclr: self-supervised contrastive learning (SimCLR) on TensorFlow.js, the whole library
 * in one import. Each part is also its own package: `@simclr/augment`, `@simclr/losses`,
 * `@simclr/models`, `@simclr/datasets`, `@simclr/train` and `@simclr/eval`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { infoNCE } from "./mod.ts";
 *
 * const { loss, top1, top5, meanPos } = infoNCE(tf.randomNormal([8, 16]) as tf.Tensor2D);
 * tf.dispose([loss, top1, top5, meanPos]);
 * ```
 *
 * @module
 */
export * from "@simclr/augment";
export * from "@simclr/datasets";
export * from "@simclr/eval";
export * from "@simclr/losses";
export * from "@simclr/models";
export * from "@simclr/train";

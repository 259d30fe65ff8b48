/**
 * The contrastive loss of SimCLR: InfoNCE (NT-Xent) over cosine similarities, with the
 * tutorial's ranking metrics (top-1, top-5 and mean position of the positive).
 *
 * It depends only on `@tensorflow/tfjs-core`, so it works with any tfjs backend.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { infoNCE } from "@simclr/losses";
 *
 * const features = tf.randomNormal([2 * 8, 32]) as tf.Tensor2D; // 2 views of 8 images
 * const { loss, top1, top5, meanPos } = infoNCE(features, { temperature: 0.07 });
 * console.log(loss.dataSync()[0], top1.dataSync()[0], top5.dataSync()[0], meanPos.dataSync()[0]);
 * tf.dispose([features, loss, top1, top5, meanPos]);
 * ```
 *
 * @module
 */
export * from "./info_nce.ts";

/**
 * The contrastive loss of SimCLR: InfoNCE (NT-Xent) over cosine similarities, with the
 * tutorial's ranking metrics (top-1, top-5 and mean position of the positive), and the losses
 * of the methods the tutorial points to next:
 *
 * - {@linkcode infoNCE}: SimCLR's InfoNCE (NT-Xent) with the tutorial's ranking metrics.
 * - {@linkcode supCon}: supervised contrastive learning (Khosla et al.): the positives of a row
 *   are every row of the same class; without labels it is InfoNCE.
 * - {@linkcode barlowTwins}: redundancy reduction (Zbontar et al.): the cross-correlation of
 *   the two views' standardised projections pulled towards the identity.
 * - {@linkcode byolLoss}: BYOL's symmetrised regression of online predictions onto a target
 *   network's projections (Grill et al.), no gradient into the targets.
 *
 * Features are view-major (`[view 0 of images 0..N-1, view 1 of ...]`) for all of them.
 *
 * It depends only on `@tensorflow/tfjs-core`, so it works with any tfjs backend.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { infoNCE } from "@simclr/losses";
 * import assert from "node:assert/strict";
 *
 * // 2 views of 8 images; view 1 is view 0 slightly moved, so each row's twin ranks first
 * const view0 = tf.randomNormal([8, 32], 0, 1, "float32", 1);
 * const features = tf.concat([view0, tf.add(view0, 0.01)]) as tf.Tensor2D;
 * const { loss, top1, top5, meanPos } = infoNCE(features, { temperature: 0.07 });
 * assert.deepEqual(Array.from(await top1.data()), [1]);
 * assert.deepEqual(Array.from(await meanPos.data()), [1]); // 1 + the mean rank of the positive
 * tf.dispose([view0, features, loss, top1, top5, meanPos]);
 * ```
 *
 * @module
 */
export * from "./info_nce.ts";
export * from "./sup_con.ts";
export * from "./barlow_twins.ts";
export * from "./byol_loss.ts";

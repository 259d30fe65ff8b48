// The tutorial's `info_nce_loss`, transcribed op for op (including its [2N, 2N, D] broadcast
// and its -9e15 masking). Not exported: it is the plain reference that the tests and the
// benchmark hold `infoNCE` against.
import * as tf from "@tensorflow/tfjs-core";

/** The tutorial's loss and metrics for two views, as plain numbers and the loss tensor. */
export function tutorialInfoNCE(
  feats: tf.Tensor2D,
  temperature: number,
): { loss: tf.Scalar; top1: number; top5: number; meanPos: number } {
  const rows = feats.shape[0];
  let ranks!: Int32Array;
  const loss = tf.tidy(() => {
    // F.cosine_similarity(feats[:, None, :], feats[None, :, :], dim=-1)
    const a = tf.expandDims(feats, 1); // [rows, 1, D]
    const b = tf.expandDims(feats, 0); // [1, rows, D]
    const dot = tf.sum(tf.mul(a, b), -1); // [rows, rows]
    const normProduct = tf.mul(tf.norm(a, "euclidean", -1), tf.norm(b, "euclidean", -1));
    let cosSim = tf.div(dot, tf.maximum(normProduct, 1e-8));
    const selfMask = tf.cast(tf.eye(rows), "bool");
    cosSim = tf.where(selfMask, tf.fill([rows, rows], -9e15), cosSim);
    // pos_mask = self_mask.roll(shifts=rows // 2, dims=0)
    const posMask = tf.concat([
      tf.slice(selfMask, [rows / 2, 0], [rows / 2, rows]),
      tf.slice(selfMask, [0, 0], [rows / 2, rows]),
    ]);
    cosSim = tf.div(cosSim, temperature);
    const positive = tf.sum(tf.where(posMask, cosSim, tf.zerosLike(cosSim)), 1);
    const nll = tf.mean(tf.add(tf.neg(positive), tf.logSumExp(cosSim, -1)));
    const combSim = tf.concat([
      tf.expandDims(positive, 1),
      tf.where(posMask, tf.fill([rows, rows], -9e15), cosSim),
    ], 1); // [rows, rows + 1]
    // argsort(descending).argmin(): where column 0 (the positive) lands in the sorted order.
    const order = tf.topk(combSim, rows + 1).indices;
    ranks = tf.argMin(order, 1).dataSync() as Int32Array;
    return nll as tf.Scalar;
  });
  const mean = (f: (r: number) => number) => ranks.reduce((s, r) => s + f(r), 0) / rows;
  return {
    loss,
    top1: mean((r) => Number(r === 0)),
    top5: mean((r) => Number(r < 5)),
    meanPos: 1 + mean((r) => r),
  };
}

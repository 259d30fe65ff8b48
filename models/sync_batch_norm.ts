// Copyright 2026 the simclr authors. MIT license.
import { type ReplicaSum, withReplicaSum } from "./_replica_sum.ts";

export type { ReplicaSum } from "./_replica_sum.ts";

/**
 * Runs `fn` with every BatchNorm in training mode normalising by the statistics of the whole
 * batch across data-parallel replicas, as PyTorch's `SyncBatchNorm`: each BatchNorm sums its
 * per-channel sums (forward) and its gradient sums (backward) over the replicas with `sum`.
 * The replicas must run the same network, so that they call `sum` in the same order. Without
 * it, a replica normalises by its part of the batch alone (DDP without SyncBatchNorm), and in
 * SimCLR the two views of an image, which sit in the same part, share statistics the other
 * images do not: a shortcut (Chen et al. 2020, section 2.2).
 *
 * The backward pass calls `sum` too, so run the whole gradient computation inside `fn`.
 * `DataParallel` (`@simclr/train`) does this for its replicas.
 *
 * @param sum Sums a vector over every replica, the same result on each (blocking).
 * @param fn Work whose BatchNorms use the whole batch's statistics.
 * @returns What `fn` returns.
 *
 * @example A "group" of one replica: the sum is the identity, and BatchNorm is unchanged.
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { simclrNet, syncBatchNorm } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ hiddenDim: 4, width: 2, stem: "cifar" });
 * const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 1) as tf.Tensor4D;
 * let calls = 0;
 * const synced = syncBatchNorm((v) => (calls++, v), () => net.apply(x, { training: true }));
 * const alone = net.apply(x, { training: true });
 * assert.ok(calls > 0);
 * assert.ok(tf.max(tf.abs(tf.sub(synced, alone))).dataSync()[0] < 1e-5);
 * tf.dispose([x, synced, alone]);
 * net.dispose();
 * ```
 */
export function syncBatchNorm<T>(sum: ReplicaSum, fn: () => T): T {
  return withReplicaSum(sum, fn);
}

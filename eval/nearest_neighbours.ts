// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import { l2Normalize } from "./_l2_normalize.ts";

/** Options of {@linkcode nearestNeighbours}. */
export interface NearestNeighboursOptions {
  /** Neighbours per query (clamped to the bank's size). Default 8. */
  k?: number;
  /** Queries compared at once (bounds memory to `batchSize` x bank size). Default 256. */
  batchSize?: number;
}

/** What {@linkcode nearestNeighbours} returns, row-major: query `q`'s `j`-th neighbour at `q * k + j`. */
export interface Neighbours {
  /** Neighbours per query (`k` after clamping). */
  k: number;
  /** Bank row of each neighbour, nearest first. */
  indices: Int32Array;
  /** Cosine similarity of each neighbour to its query. */
  similarities: Float32Array;
}

/**
 * The `k` rows of `bank` most similar to each query by cosine similarity (the measure of
 * {@linkcode knnClassify}), nearest first.
 *
 * @param bank Features to search, `[n, d]`.
 * @param queries Features to look up, `[m, d]`.
 * @param options Neighbours per query and batch size.
 * @returns The neighbours' rows and similarities, `k` per query.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { nearestNeighbours } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const bank = tf.tensor2d([[1, 0], [0, 1], [1, 1]]);
 * const queries = tf.tensor2d([[0, 3]]);
 * const { indices, similarities } = await nearestNeighbours(bank, queries, { k: 2 });
 * assert.deepEqual([...indices], [1, 2]);
 * assert.ok(Math.abs(similarities[1] - Math.SQRT1_2) < 1e-6);
 * tf.dispose([bank, queries]);
 * ```
 */
export async function nearestNeighbours(
  bank: tf.Tensor2D,
  queries: tf.Tensor2D,
  options: NearestNeighboursOptions = {},
): Promise<Neighbours> {
  const fn = "nearestNeighbours()";
  const { k: requested = 8, batchSize = 256 } = options;
  checkInteger(fn, "options.k", requested, { min: 1 });
  checkInteger(fn, "options.batchSize", batchSize, { min: 1 });
  if (bank.rank !== 2 || queries.rank !== 2 || bank.shape[0] === 0) {
    throw new RangeError(
      argumentMessage(
        fn,
        `bank has shape [${bank.shape}] and queries [${queries.shape}]`,
        "[n, d] with n >= 1 and [m, d]",
      ),
    );
  }
  if (bank.shape[1] !== queries.shape[1]) {
    throw new RangeError(
      argumentMessage(
        fn,
        `queries has ${queries.shape[1]} columns but bank has ${bank.shape[1]}`,
        "equal feature sizes",
      ),
    );
  }
  const [n, d] = bank.shape;
  const m = queries.shape[0];
  const k = Math.min(requested, n);
  const indices = new Int32Array(m * k);
  const similarities = new Float32Array(m * k);
  const unit = l2Normalize(bank); // [n, d]
  try {
    for (let start = 0; start < m; start += batchSize) {
      const size = Math.min(batchSize, m - start);
      const top = tf.tidy(() => {
        const query = l2Normalize(tf.slice(queries, [start, 0], [size, d])); // [b, d]
        return tf.topk(tf.matMul(query, unit, false, true), k); // [b, k]
      });
      indices.set(await top.indices.data(), start * k); // async: webgpu has no dataSync
      similarities.set(await top.values.data(), start * k);
      tf.dispose([top.indices, top.values]);
    }
  } finally {
    unit.dispose();
  }
  return { k, indices, similarities };
}

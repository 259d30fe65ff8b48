// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import { l2Normalize } from "./_l2_normalize.ts";

/** Options of {@linkcode similarPairs}. */
export interface SimilarPairsOptions {
  /** Rows compared with all later rows at once (bounds memory to `batchSize` x rows). Default 256. */
  batchSize?: number;
}

/**
 * What {@linkcode similarPairs} returns: pair `p` is rows `a[p] < b[p]`, most alike first (ties
 * by `a`, then `b`).
 */
export interface SimilarPairs {
  /** The first row of each pair. */
  a: Int32Array;
  /** The second row of each pair (`b[p] > a[p]`). */
  b: Int32Array;
  /** Cosine similarity of each pair. */
  similarities: Float32Array;
}

/**
 * Every pair of rows of `x` whose cosine similarity is at least `threshold`: exact, all pairs
 * (not the pairs among each row's nearest), by blocks of rows multiplied with the rows after
 * them (`batchSize` x rows at a time); only the pairs found are read back. Near-duplicate
 * finding over embeddings.
 *
 * @param x Row vectors `[n, d]` (normalised here, as `nearestNeighbours` does).
 * @param threshold The least cosine similarity of a pair listed, in -1..1.
 * @param options Rows per block.
 * @returns The pairs, most alike first.
 *
 * @example Two near-duplicate rows among three
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { similarPairs } from "@simclr/eval/similar-pairs";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const x = tf.tensor2d([[1, 0], [0, 1], [2, 0.01]]);
 * const pairs = await similarPairs(x, 0.99);
 * assert.deepEqual([[...pairs.a], [...pairs.b]], [[0], [2]]);
 * assert.ok(pairs.similarities[0] > 0.9999);
 * x.dispose();
 * ```
 */
export async function similarPairs(
  x: tf.Tensor2D,
  threshold: number,
  options: SimilarPairsOptions = {},
): Promise<SimilarPairs> {
  const fn = "similarPairs()";
  const batchSize = checkInteger(fn, "options.batchSize", options.batchSize ?? 256, { min: 1 });
  if (x.rank !== 2) {
    throw new RangeError(argumentMessage(fn, `x has shape [${x.shape}]`, "[n, d]"));
  }
  if (!(threshold >= -1 && threshold <= 1)) {
    throw new RangeError(argumentMessage(fn, `threshold is ${threshold}`, "a number in -1..1"));
  }
  const [n, d] = x.shape;
  const a: number[] = [];
  const b: number[] = [];
  const similarities: number[] = [];
  const unit = l2Normalize(x);
  try {
    for (let start = 0; start < n - 1; start += batchSize) {
      const rows = Math.min(batchSize, n - start);
      // Block rows start.. against rows start..n-1; the pairs (r, c) with c > r.
      const [similarity, above] = tf.tidy(() => {
        const block = tf.slice(unit, [start, 0], [rows, d]);
        const later = tf.slice(unit, [start, 0], [n - start, d]);
        const s = tf.matMul(block, later, false, true); // [rows, n - start]
        const after = tf.greater(
          tf.reshape(tf.range(0, n - start, 1, "int32"), [1, n - start]),
          tf.reshape(tf.range(0, rows, 1, "int32"), [rows, 1]),
        );
        return [s, tf.logicalAnd(tf.greaterEqual(s, threshold), after)];
      });
      const where = await tf.whereAsync(above); // [pairs, 2]
      const values = tf.gatherND(similarity, where);
      const [at, found] = [await where.data(), await values.data()];
      tf.dispose([similarity, above, where, values]);
      for (let p = 0; p < found.length; p++) {
        a.push(start + at[2 * p]);
        b.push(start + at[2 * p + 1]);
        similarities.push(found[p]);
      }
    }
  } finally {
    unit.dispose();
  }
  const order = Array.from(similarities, (_, p) => p).sort((p, q) =>
    similarities[q] - similarities[p] || a[p] - a[q] || b[p] - b[q]
  );
  return {
    a: Int32Array.from(order, (p) => a[p]),
    b: Int32Array.from(order, (p) => b[p]),
    similarities: Float32Array.from(order, (p) => similarities[p]),
  };
}

// Copyright the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import { UMAP } from "umap-js";
import { argumentMessage, checkInteger, checkNumber } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { l2Normalize } from "./_l2_normalize.ts";

/** Options of {@linkcode umap2d}. */
export interface Umap2dOptions {
  /** Seed of every random choice of UMAP (neighbour search, initialisation, layout). Default 42. */
  seed?: number;
  /** Neighbours that define the local structure (clamped to rows - 1). Default 15 (UMAP's). */
  nNeighbors?: number;
  /** How tightly points may pack in the map. Default 0.1 (UMAP's). */
  minDist?: number;
  /** Layout epochs. Default: UMAP's (500 below 10,000 rows, else 200). */
  nEpochs?: number;
}

/**
 * A 2-D map of features by UMAP (McInnes et al., 2018; umap-js, the Embedding Projector's
 * implementation), on the L2-normalised rows so that neighbours are those of cosine
 * similarity, as the kNN classifier sees them. Every random choice comes from our seeded
 * generator: same features and seed, same map.
 *
 * @param features Features `[n, d]`, `n >= 3` (the tensor stays the caller's).
 * @param options Seed and UMAP's settings.
 * @returns The `[x, y]` of each row.
 *
 * @example Two clusters stay apart
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { umap2d } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const rows = Array.from({ length: 20 }, (_, i) => i < 10 ? [1, 0.01 * i, 0] : [0, 0.01 * i, 1]);
 * const features = tf.tensor2d(rows);
 * const points = await umap2d(features, { nNeighbors: 5 });
 * assert.equal(points.length, 20);
 * const mean = (from: number) => points.slice(from, from + 10).reduce((a, p) => a + p[0], 0) / 10;
 * const spread = Math.max(...points.map((p) => p[0])) - Math.min(...points.map((p) => p[0]));
 * assert.ok(Math.abs(mean(0) - mean(10)) > spread / 3);
 * features.dispose();
 * ```
 */
export async function umap2d(
  features: tf.Tensor2D,
  options: Umap2dOptions = {},
): Promise<[number, number][]> {
  const fn = "umap2d()";
  const { seed = DEFAULT_SEED, minDist = 0.1 } = options;
  if (features.rank !== 2 || features.shape[0] < 3) {
    throw new RangeError(
      argumentMessage(fn, `features has shape [${features.shape}]`, "[n, d] with n >= 3 rows"),
    );
  }
  const [n, d] = features.shape;
  const nNeighbors = Math.min(options.nNeighbors ?? 15, n - 1);
  checkInteger(fn, "options.nNeighbors", nNeighbors, { min: 2 });
  checkNumber(fn, "options.minDist", minDist, { min: 0 });
  if (options.nEpochs !== undefined) {
    checkInteger(fn, "options.nEpochs", options.nEpochs, { min: 1 });
  }
  const unit = l2Normalize(features);
  const values = await unit.data(); // async: webgpu has no dataSync
  unit.dispose();
  const rows = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * d, (i + 1) * d)));
  const rng = createRng(seed);
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist,
    nEpochs: options.nEpochs,
    random: () => rng.float(),
  });
  return umap.fit(rows).map(([x, y]) => [x, y]);
}

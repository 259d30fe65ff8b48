// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { subset } from "@simclr/datasets/subset";
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { accuracy } from "./accuracy.ts";
import { embeddingStd } from "./embedding_std.ts";
import {
  type ExtractedFeatures,
  extractFeatures,
  type FeatureEncoder,
  type LabelledImageSource,
} from "./extract_features.ts";
import { knnClassify } from "./knn_classify.ts";

/** What {@linkcode onlineMonitors} measures: an encoder and the head that projects its features. */
export interface MonitoredNetwork {
  /** Images to features `h` (e.g. `net.encoder` of a `SimCLRNet`). */
  encoder: FeatureEncoder;
  /** Features `h` to projections `z` (e.g. `net.head`). */
  head: { apply(h: tf.Tensor2D, options: { training: boolean }): tf.Tensor2D };
}

/** Options of {@linkcode onlineMonitors}. */
export interface OnlineMonitorOptions {
  /** Labelled training images: the kNN memory bank, and the images whose projections are measured. */
  bank: LabelledImageSource;
  /** Labelled test images classified by kNN; `null` or absent: no `knn_top1`. */
  queries?: LabelledImageSource | null;
  /** Classify at most this many queries (a seeded sample, the same at every call). Default: all. */
  maxQueries?: number;
  /** Seed of the query sample. Default 42. */
  seed?: number;
  /** Neighbours that vote. Default 200 (the probe's). */
  k?: number;
  /** Temperature of the votes. Default 0.07 (the probe's). */
  temperature?: number;
  /** The number of classes. Default: the largest bank label + 1. */
  numClasses?: number;
  /** Images encoded at once. Default 64. */
  batchSize?: number;
  /** Side of the stored images. Default `bank.imageSize`, else 96. */
  sourceSize?: number;
  /** Side the images are resized to before encoding. Default `sourceSize`. */
  imageSize?: number;
}

/** The online monitors, under the names `metrics.jsonl` records them. */
export type OnlineMonitors = {
  /** kNN top-1 accuracy of the queries against the bank (absent without queries). */
  knn_top1?: number;
  /** {@linkcode embeddingStd} of the bank's projections: 0 is collapse, about 1/sqrt(d) healthy. */
  embedding_std: number;
};

/**
 * The monitors that watch a network while it trains, as solo-learn and lightly do: one
 * evaluation-mode pass over the bank and the queries ({@linkcode extractFeatures}: the
 * probe's preprocessing, no augmentation), then
 *
 * - `knn_top1`: the accuracy of {@linkcode knnClassify} (cosine, `k` = 200, T = 0.07, as the
 *   probe's kNN) of the queries against the bank's features;
 * - `embedding_std`: {@linkcode embeddingStd} of the bank's projections `head(h)`.
 *
 * With all queries (no `maxQueries`), the bank the labelled training split and the queries the
 * test split, `knn_top1` is the probe's kNN accuracy of the same weights.
 *
 * @param network The encoder and its projection head (run with `training: false`).
 * @param options The bank, the queries and the kNN's settings.
 * @returns `knn_top1` (when there are queries) and `embedding_std`.
 *
 * @example A toy encoder (mean colour) and head (identity)
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { onlineMonitors } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * // Image i is a flat colour: red for class 0, blue for class 1.
 * const split = (labels: number[]) => ({
 *   length: labels.length,
 *   imageSize: 2,
 *   classNames: ["red", "blue"],
 *   labels: () => Int32Array.from(labels),
 *   read: (indices: ArrayLike<number>) =>
 *     Promise.resolve({
 *       pixels: Uint8Array.from(Array.from(indices).flatMap((i) => Array(4).fill(labels[i] ? [0, 0, 255] : [255, 0, 0]).flat())),
 *       labels: Int32Array.from(indices, (i) => labels[i]),
 *     }),
 * });
 * const network = {
 *   encoder: { apply: (x: tf.Tensor4D) => tf.mean(x, [1, 2]) as tf.Tensor2D },
 *   head: { apply: (h: tf.Tensor2D) => h.clone() },
 * };
 * const monitors = await onlineMonitors(network, {
 *   bank: split([0, 0, 1, 1]),
 *   queries: split([1, 0]),
 * });
 * assert.equal(monitors.knn_top1, 1);
 * assert.ok(monitors.embedding_std > 0);
 * ```
 */
export async function onlineMonitors(
  network: MonitoredNetwork,
  options: OnlineMonitorOptions,
): Promise<OnlineMonitors> {
  const fn = "onlineMonitors()";
  const { bank, seed = DEFAULT_SEED, batchSize = 64 } = options;
  const sourceSize = options.sourceSize ?? bank.imageSize ?? 96;
  const encode = { batchSize, sourceSize, imageSize: options.imageSize, progress: false };
  let queries = options.queries ?? null;
  if (queries !== null && options.maxQueries !== undefined) {
    checkInteger(fn, "options.maxQueries", options.maxQueries, { min: 1 });
    if (options.maxQueries < queries.length) {
      const chosen = createRng(seed).permutation(queries.length).slice(0, options.maxQueries);
      queries = subset(queries, chosen.sort((a, b) => a - b));
    }
  }
  if (bank.length < 2) {
    throw new RangeError(
      argumentMessage(fn, `options.bank has ${bank.length} images`, "2 or more"),
    );
  }
  const features: ExtractedFeatures[] = [];
  try {
    const banked = await extractFeatures(network.encoder, bank, encode);
    features.push(banked);
    const std = tf.tidy(() =>
      embeddingStd(network.head.apply(banked.features, { training: false }))
    );
    const [embedding_std] = await std.data(); // async: webgpu has no dataSync
    std.dispose();
    if (queries === null) return { embedding_std };
    const queried = await extractFeatures(network.encoder, queries, encode);
    features.push(queried);
    const predicted = await knnClassify(banked.features, banked.labels, queried.features, {
      k: options.k ?? 200,
      temperature: options.temperature ?? 0.07,
      numClasses: options.numClasses,
      batchSize: 256,
    });
    return { knn_top1: accuracy(predicted, queried.labels), embedding_std };
  } finally {
    tf.dispose(features.map((f) => f.features));
  }
}

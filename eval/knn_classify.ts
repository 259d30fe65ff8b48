// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { checkClasses, checkFeatureSets } from "./_check.ts";
import { l2Normalize } from "./_l2_normalize.ts";

/** Options for {@linkcode knnClassify}. */
export interface KnnOptions {
  /** Neighbours that vote (clamped to the number of training samples). Default 200. */
  k?: number;
  /** Temperature of the vote weights `exp(similarity / temperature)`. Default 0.07. */
  temperature?: number;
  /** The number of classes. Default: the largest training label + 1. */
  numClasses?: number;
  /** Test samples scored at once (bounds memory to `batchSize` x train size). Default 256. */
  batchSize?: number;
}

/**
 * Weighted k-nearest-neighbour classification on frozen features, as in InstDisc (Wu et al.,
 * 2018) and SimCLR: features are L2-normalised, the `k` training samples with the highest
 * cosine similarity to a test sample vote for their class with weight
 * `exp(similarity / temperature)`, and the class with the largest total wins (the lowest class
 * on ties). Training-free, so a second measure of the representation beside the linear probe.
 *
 * @param trainFeatures Training features, shape `[n, d]`.
 * @param trainLabels Class of each training sample, length `n`.
 * @param testFeatures Features to classify, shape `[m, d]`.
 * @param options k, temperature, number of classes and batch size.
 * @returns The predicted class of each test sample, length `m` (read back asynchronously, so
 *   it works on every backend, WebGPU included).
 *
 * @example The nearest direction wins
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { knnClassify } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const train = tf.tensor2d([[1, 0], [2, 0.1], [0, 1], [0.1, 3]]);
 * const test = tf.tensor2d([[5, 1], [1, 4]]);
 * const predicted = await knnClassify(train, [0, 0, 1, 1], test, { k: 2 });
 * assert.deepEqual([...predicted], [0, 1]);
 * tf.dispose([train, test]);
 * ```
 */
export async function knnClassify(
  trainFeatures: tf.Tensor2D,
  trainLabels: ArrayLike<number>,
  testFeatures: tf.Tensor2D,
  options: KnnOptions = {},
): Promise<Int32Array> {
  const fn = "knnClassify()";
  checkFeatureSets(fn, trainFeatures, trainLabels, testFeatures);
  const [n, d] = trainFeatures.shape;
  const m = testFeatures.shape[0];
  const kRequested = options.k ?? 200;
  checkInteger(fn, "options.k", kRequested, { min: 1 });
  const temperature = options.temperature ?? 0.07;
  if (!(temperature > 0)) {
    throw new RangeError(
      argumentMessage(fn, `options.temperature is ${show(temperature)}`, "a positive number"),
    );
  }
  const batchSize = options.batchSize ?? 256;
  checkInteger(fn, "options.batchSize", batchSize, { min: 1 });
  let maxLabel = 0;
  for (let i = 0; i < n; i++) maxLabel = Math.max(maxLabel, trainLabels[i]);
  const numClasses = options.numClasses ?? maxLabel + 1;
  const classesName = options.numClasses === undefined
    ? "numClasses (the largest label + 1)"
    : "options.numClasses";
  checkInteger(fn, classesName, numClasses, { min: 1 });
  checkClasses(fn, "trainLabels", trainLabels, numClasses);
  const k = Math.min(kRequested, n);
  const predictions = new Int32Array(m);
  const trainUnit = l2Normalize(trainFeatures); // [n, d]
  const labels = tf.tensor1d(Int32Array.from(trainLabels), "int32"); // [n]
  try {
    for (let start = 0; start < m; start += batchSize) {
      const size = Math.min(batchSize, m - start);
      const batch = tf.tidy(() => {
        const query = l2Normalize(tf.slice(testFeatures, [start, 0], [size, d])); // [b, d]
        const sim = tf.matMul(query, trainUnit, false, true); // [b, n]
        const { values, indices } = tf.topk(sim, k); // [b, k]
        const weights = tf.exp(tf.div(values, temperature)); // [b, k]
        const votes = tf.oneHot(tf.gather(labels, indices), numClasses); // [b, k, C]
        const scores = tf.sum(tf.mul(votes, tf.expandDims(weights, 2)), 1); // [b, C]
        return tf.argMax(scores, 1); // [b]
      });
      predictions.set(await batch.data(), start); // async: webgpu cannot read synchronously
      batch.dispose();
    }
  } finally {
    tf.dispose([trainUnit, labels]);
  }
  return predictions;
}

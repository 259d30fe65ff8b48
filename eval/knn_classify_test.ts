import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { knnClassify } from "./knn_classify.ts";
import { createRng } from "@simclr/internal/random";

await tf.setBackend("cpu");

Deno.test("`knnClassify()` weighs votes by exp(similarity / temperature)", async () => {
  // One very close neighbour of class 0 against two weak ones of class 1 (cosine 0.196 each).
  const train = tf.tensor2d([[1, 0], [0.2, 1], [0.2, -1]]);
  const test = tf.tensor2d([[1, 0]]);
  const before = tf.memory().numTensors;
  // T = 0.07: e^(1/0.07) = 1.6e6 beats 2 e^(0.196/0.07) = 33.
  assert.deepEqual([...await knnClassify(train, [0, 1, 1], test, { k: 3 })], [0]);
  // T = 10: e^0.1 = 1.105 loses to 2 e^0.0196 = 2.04: the majority wins.
  assert.deepEqual([...await knnClassify(train, [0, 1, 1], test, { k: 3, temperature: 10 })], [1]);
  // k = 1: only the nearest votes.
  assert.deepEqual([...await knnClassify(train, [0, 1, 1], test, { k: 1, temperature: 10 })], [0]);
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([train, test]);
});

Deno.test("`knnClassify()` matches a plain implementation", async () => {
  const rng = createRng(3);
  const n = 60, m = 25, d = 6, classes = 4;
  const trainData = Float32Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const testData = Float32Array.from({ length: m * d }, () => rng.uniform(-1, 1));
  const labels = Int32Array.from({ length: n }, () => rng.integer(0, classes - 1));
  const train = tf.tensor2d(trainData, [n, d]);
  const test = tf.tensor2d(testData, [m, d]);
  const k = 7, temperature = 0.1;
  const got = await knnClassify(train, labels, test, { k, temperature, batchSize: 8 });
  const row = (data: Float32Array, i: number) => {
    const v = Array.from(data.subarray(i * d, (i + 1) * d));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  for (let j = 0; j < m; j++) {
    const q = row(testData, j);
    const sims = Array.from({ length: n }, (_, i) => {
      const t = row(trainData, i);
      return { i, s: q.reduce((acc, x, c) => acc + x * t[c], 0) };
    }).sort((a, b) => b.s - a.s).slice(0, k);
    const scores = new Array(classes).fill(0);
    for (const { i, s } of sims) scores[labels[i]] += Math.exp(s / temperature);
    assert.equal(got[j], scores.indexOf(Math.max(...scores)), `test sample ${j}`);
  }
  tf.dispose([train, test]);
});

Deno.test("`knnClassify()` clamps k and rejects bad arguments", async () => {
  const train = tf.tensor2d([[1, 0], [0, 1]]);
  const test = tf.tensor2d([[1, 0.1]]);
  assert.deepEqual([...await knnClassify(train, [0, 1], test)], [0]);
  await assert.rejects(() => knnClassify(train, [0], test), {
    name: "RangeError",
    message: "knnClassify(): trainLabels has length 1 but trainFeatures has 2 rows: expected equal",
  });
  await assert.rejects(() => knnClassify(train, [0, 1], test, { k: 0 }), {
    name: "RangeError",
    message: "knnClassify(): options.k is 0: expected a positive integer",
  });
  const wide = tf.tensor2d([[1, 0, 0]]);
  await assert.rejects(() => knnClassify(train, [0, 1], wide), {
    name: "RangeError",
    message:
      "knnClassify(): testFeatures has 3 columns but trainFeatures has 2: expected equal feature sizes",
  });
  tf.dispose([train, test, wide]);
});

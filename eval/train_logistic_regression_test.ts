import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { trainLogisticRegression } from "./train_logistic_regression.ts";

await tf.setBackend("cpu");

/** From tools/make_eval_fixtures.py (PyTorch 1.13: nn.Linear, AdamW, MultiStepLR). */
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/logreg.json", import.meta.url)),
);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function runFixture(evalEvery: number) {
  const f = fixture;
  const train = tf.tensor2d(f.trainFeatures, [f.trainLabels.length, f.dim]);
  const test = tf.tensor2d(f.testFeatures, [f.testLabels.length, f.dim]);
  try {
    return await trainLogisticRegression(train, f.trainLabels, test, f.testLabels, {
      epochs: f.epochs,
      lr: f.lr,
      weightDecay: f.weightDecay,
      batchSize: f.batchSize,
      milestones: f.milestones,
      gamma: f.gamma,
      evalEvery,
      initialWeights: {
        weight: Float32Array.from(f.initWeight),
        bias: Float32Array.from(f.initBias),
      },
      order: (epoch) => f.orders[epoch],
    });
  } finally {
    tf.dispose([train, test]);
  }
}

Deno.test("`trainLogisticRegression()` matches PyTorch's probe, best weights kept", async () => {
  const before = tf.memory().numTensors;
  const result = await runFixture(fixture.evalEvery);
  assert.equal(tf.memory().numTensors, before);
  const e = fixture.expected;
  assert.ok(maxAbsDiff(result.history.map((r) => r.loss), e.losses) < 1e-5);
  assert.ok(maxAbsDiff(result.history.map((r) => r.lr), e.lrs) < 1e-12);
  const measured = Object.fromEntries(
    result.history.filter((r) => r.testAccuracy !== undefined).map((r) => [
      String(r.epoch),
      r.testAccuracy as number,
    ]),
  );
  assert.deepEqual(Object.keys(measured), Object.keys(e.testAccuracies));
  assert.ok(maxAbsDiff(Object.values(measured), Object.values(e.testAccuracies)) < 1e-6);
  assert.equal(result.bestEpoch, e.bestEpoch);
  assert.ok(Math.abs(result.trainAccuracy - e.trainAccuracy) < 1e-6);
  assert.ok(Math.abs(result.testAccuracy - e.testAccuracy) < 1e-6);
  assert.ok(
    maxAbsDiff(result.weight, e.weight) < 1e-5,
    `weight ${maxAbsDiff(result.weight, e.weight)}`,
  );
  assert.ok(maxAbsDiff(result.bias, e.bias) < 1e-5);
});

Deno.test("`trainLogisticRegression()` matches PyTorch's last weights over the whole schedule", async () => {
  const result = await runFixture(fixture.epochs);
  const e = fixture.expectedLast;
  assert.equal(result.bestEpoch, fixture.epochs - 1);
  assert.ok(
    maxAbsDiff(result.weight, e.weight) < 1e-5,
    `weight ${maxAbsDiff(result.weight, e.weight)}`,
  );
  assert.ok(maxAbsDiff(result.bias, e.bias) < 1e-5);
  assert.ok(Math.abs(result.trainAccuracy - e.trainAccuracy) < 1e-6);
  assert.ok(Math.abs(result.testAccuracy - e.testAccuracy) < 1e-6);
});

Deno.test("`trainLogisticRegression()` uses the tutorial's defaults", async () => {
  const n = 12;
  const trainData = Array.from({ length: n }, (_, i) => [i % 3 === 0 ? 1 : 0, i % 3 === 1 ? 1 : 0]);
  const labels = Array.from({ length: n }, (_, i) => i % 3);
  const train = tf.tensor2d(trainData);
  const result = await trainLogisticRegression(train, labels, train, labels, { seed: 1 });
  assert.equal(result.history.length, 100);
  assert.equal(result.history[59].lr, 1e-3);
  assert.ok(Math.abs(result.history[60].lr - 1e-4) < 1e-12);
  assert.ok(Math.abs(result.history[80].lr - 1e-5) < 1e-12);
  const measuredAt = result.history.flatMap((r) => r.testAccuracy === undefined ? [] : [r.epoch]);
  assert.deepEqual(measuredAt, [9, 19, 29, 39, 49, 59, 69, 79, 89, 99]);
  assert.equal(result.weight.length, 2 * 3);
  // nn.Linear's initialisation bound is 1/sqrt(2); with lr 1e-3 the weights move < 0.1 in 100 epochs.
  for (const w of result.weight) assert.ok(Math.abs(w) < 1 / Math.sqrt(2) + 0.1);
  // Seeded: the same seed gives the same weights, another seed others.
  const again = await trainLogisticRegression(train, labels, train, labels, { seed: 1 });
  assert.deepEqual(again.weight, result.weight);
  const other = await trainLogisticRegression(train, labels, train, labels, { seed: 2, epochs: 1 });
  assert.notDeepEqual(other.weight, result.weight);
  train.dispose();
});

Deno.test("`trainLogisticRegression()` rejects bad arguments", async () => {
  const x = tf.tensor2d([[1, 0], [0, 1]]);
  const wide = tf.tensor2d([[1, 0, 0]]);
  const empty = tf.zeros([0, 2]) as tf.Tensor2D;
  await assert.rejects(
    () => trainLogisticRegression(empty, [], x, [0, 1]),
    {
      name: "RangeError",
      message:
        "trainLogisticRegression(): trainFeatures has 0 rows: expected a non-empty training set",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0, 1], empty, []),
    {
      name: "RangeError",
      message: "trainLogisticRegression(): testFeatures has 0 rows: expected a non-empty test set",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0], x, [0, 1]),
    {
      name: "RangeError",
      message:
        "trainLogisticRegression(): trainLabels has length 1 but trainFeatures has 2 rows: expected equal",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0, 1], wide, [0]),
    {
      name: "RangeError",
      message:
        "trainLogisticRegression(): testFeatures has 3 columns but trainFeatures has 2: expected equal feature sizes",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0, 1], x, [0, 1], { epochs: 0 }),
    {
      name: "RangeError",
      message: "trainLogisticRegression(): options.epochs is 0: expected a positive integer",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0, 5], x, [0, 1], { numClasses: 2 }),
    {
      name: "RangeError",
      message:
        "trainLogisticRegression(): trainLabels[1] is 5: expected an integer class in [0, 2)",
    },
  );
  await assert.rejects(
    () => trainLogisticRegression(x, [0, 1], x, [0, 1], { order: () => [0, 0] }),
    {
      name: "RangeError",
      message:
        "trainLogisticRegression(): options.order(0)[1] is 0: expected a permutation of 0..1",
    },
  );
  tf.dispose([x, wide, empty]);
});

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { linearProbe } from "./linear_probe.ts";
import { trainLogisticRegression } from "./train_logistic_regression.ts";
import { createRng } from "@simclr/internal/random";

await tf.setBackend("cpu");

function blobs(perClass: number, seed: number) {
  const rng = createRng(seed);
  const centres = [[2, 0, 0], [0, 2, 0], [0, 0, 2]];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < perClass; i++) {
      rows.push(centres[c].map((v) => v + rng.uniform(-1.5, 1.5)));
      labels.push(c);
    }
  }
  return { features: tf.tensor2d(rows), labels: Int32Array.from(labels) };
}

Deno.test("`linearProbe()` trains on the first k images of each class", async () => {
  const train = blobs(6, 1);
  const test = blobs(10, 2);
  const before = tf.memory().numTensors;
  const seen: number[] = [];
  const options = { epochs: 6, lr: 0.05, evalEvery: 3, seed: 5 };
  const results = await linearProbe(train, test, {
    ...options,
    sizes: [2, 6],
    onSize: (size) => void seen.push(size),
  });
  assert.deepEqual(seen, [2, 6]);
  assert.equal(tf.memory().numTensors, before);
  // Size 2 is rows 0, 1 | 6, 7 | 12, 13 of the label-sorted features.
  const rows = [0, 1, 6, 7, 12, 13];
  const subset = tf.gather(train.features, rows) as tf.Tensor2D;
  const direct = await trainLogisticRegression(
    subset,
    rows.map((r) => train.labels[r]),
    test.features,
    test.labels,
    { ...options, numClasses: 3 },
  );
  assert.deepEqual(results["2"], { train: direct.trainAccuracy, test: direct.testAccuracy });
  const all = await trainLogisticRegression(
    train.features,
    train.labels,
    test.features,
    test.labels,
    {
      ...options,
      numClasses: 3,
    },
  );
  assert.deepEqual(results["6"], { train: all.trainAccuracy, test: all.testAccuracy });
  tf.dispose([train.features, test.features, subset]);
});

Deno.test("`linearProbe()` rejects sizes above what a class has and empty splits", async () => {
  const train = blobs(4, 1);
  const test = blobs(2, 2);
  await assert.rejects(
    () => linearProbe(train, test, { sizes: [2, 5] }),
    {
      name: "RangeError",
      message:
        "probeSizes(): sizes contains 5 but class 0 has 4 training images: expected sizes of at most 4",
    },
  );
  await assert.rejects(() => linearProbe(train, test, { sizes: [0] }), {
    name: "RangeError",
    message: "probeSizes(): sizes contains 0: expected positive integers",
  });
  const empty = { features: tf.zeros([0, 3]) as tf.Tensor2D, labels: new Int32Array(0) };
  await assert.rejects(
    () => linearProbe(empty, test, { sizes: [1] }),
    {
      name: "RangeError",
      message: "linearProbe(): train has 0 samples: expected a non-empty training split",
    },
  );
  await assert.rejects(
    () => linearProbe(train, empty, { sizes: [1] }),
    {
      name: "RangeError",
      message: "linearProbe(): test has 0 samples: expected a non-empty test split",
    },
  );
  tf.dispose([train.features, test.features, empty.features]);
});

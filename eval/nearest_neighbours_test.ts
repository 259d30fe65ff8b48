import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { createRng } from "@simclr/internal/random";
import { nearestNeighbours } from "./nearest_neighbours.ts";

await tf.setBackend("cpu");

Deno.test("`nearestNeighbours()` matches a plain cosine ranking", async () => {
  const rng = createRng(11);
  const n = 40, m = 13, d = 5, k = 6;
  const bankData = Float32Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  const queryData = Float32Array.from({ length: m * d }, () => rng.uniform(-1, 1));
  const bank = tf.tensor2d(bankData, [n, d]);
  const queries = tf.tensor2d(queryData, [m, d]);
  const before = tf.memory().numTensors;
  const got = await nearestNeighbours(bank, queries, { k, batchSize: 4 });
  assert.equal(tf.memory().numTensors, before);
  const unit = (data: Float32Array, i: number) => {
    const v = Array.from(data.subarray(i * d, (i + 1) * d));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  for (let q = 0; q < m; q++) {
    const u = unit(queryData, q);
    const ranked = Array.from({ length: n }, (_, i) => ({
      i,
      s: unit(bankData, i).reduce((acc, x, c) => acc + x * u[c], 0),
    })).sort((a, b) => b.s - a.s).slice(0, k);
    assert.deepEqual([...got.indices.subarray(q * k, (q + 1) * k)], ranked.map((r) => r.i));
    ranked.forEach((r, j) => assert.ok(Math.abs(got.similarities[q * k + j] - r.s) < 1e-5));
  }
  tf.dispose([bank, queries]);
});

Deno.test("`nearestNeighbours()` clamps k and rejects mismatched features", async () => {
  const bank = tf.tensor2d([[1, 0], [0, 1]]);
  const queries = tf.tensor2d([[1, 0.2]]);
  const got = await nearestNeighbours(bank, queries, { k: 5 });
  assert.equal(got.k, 2);
  assert.deepEqual([...got.indices], [0, 1]);
  const wide = tf.tensor2d([[1, 0, 0]]);
  await assert.rejects(() => nearestNeighbours(bank, wide), {
    name: "RangeError",
    message:
      "nearestNeighbours(): queries has 3 columns but bank has 2: expected equal feature sizes",
  });
  await assert.rejects(() => nearestNeighbours(bank, queries, { k: 0 }), {
    message: "nearestNeighbours(): options.k is 0: expected a positive integer",
  });
  tf.dispose([bank, queries, wide]);
});

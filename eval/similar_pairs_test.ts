import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { createRng } from "@simclr/internal/random";
import { similarPairs } from "./similar_pairs.ts";

await tf.setBackend("cpu");

/** Every pair's cosine similarity in float64, pair by pair. */
function bruteForce(
  data: Float32Array,
  n: number,
  d: number,
): { a: number; b: number; s: number }[] {
  const row = (i: number) => Array.from(data.subarray(i * d, (i + 1) * d));
  const pairs = [];
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      const [u, v] = [row(a), row(b)];
      const dot = u.reduce((acc, x, c) => acc + x * v[c], 0);
      pairs.push({ a, b, s: dot / (Math.hypot(...u) * Math.hypot(...v)) });
    }
  }
  return pairs;
}

Deno.test("`similarPairs()` finds every pair at or above the threshold, as a brute-force search", async () => {
  const rng = createRng(5);
  const n = 37, d = 6;
  // Random rows, and a cluster of 12 near-copies of row 0 (more alike pairs than rows).
  const data = Float32Array.from({ length: n * d }, () => rng.uniform(-1, 1));
  for (let i = 20; i < 32; i++) {
    for (let c = 0; c < d; c++) {
      data[i * d + c] = data[c] * rng.uniform(1, 3) + rng.uniform(-0.05, 0.05);
    }
  }
  const x = tf.tensor2d(data, [n, d]);
  const reference = bruteForce(data, n, d);
  const before = tf.memory().numTensors;
  for (const [threshold, batchSize] of [[0.9, 4], [0.5, 7], [0.999, 256], [-1, 5]]) {
    const got = await similarPairs(x, threshold, { batchSize });
    assert.equal(tf.memory().numTensors, before);
    // Pairs within float32 rounding of the threshold may fall either side.
    const near = (s: number) => Math.abs(s - threshold) < 1e-5;
    const want = reference.filter((p) => p.s >= threshold && !near(p.s)).map((p) =>
      `${p.a},${p.b}`
    );
    const found = [...got.a].map((a, p) => ({ a, b: got.b[p], s: got.similarities[p] }));
    assert.deepEqual(
      found.filter((p) => !near(p.s)).map((p) => `${p.a},${p.b}`).sort(),
      want.sort(),
      `threshold ${threshold}`,
    );
    for (const [p, pair] of found.entries()) {
      const ref = reference.find((r) => r.a === pair.a && r.b === pair.b)!;
      assert.ok(Math.abs(pair.s - ref.s) < 1e-5, `${pair.a},${pair.b}: ${pair.s} vs ${ref.s}`);
      if (p > 0) assert.ok(found[p - 1].s >= pair.s, "most alike first");
    }
    if (threshold === -1) assert.equal(found.length, (n * (n - 1)) / 2);
    if (threshold === 0.9) assert.ok(found.length >= 66, `${found.length} pairs`); // the cluster
  }
  x.dispose();
});

Deno.test("`similarPairs()` rejects a threshold outside -1..1 and a tensor that is not [n, d]", async () => {
  const x = tf.tensor2d([[1, 0], [0, 1]]);
  await assert.rejects(() => similarPairs(x, 1.5), {
    name: "RangeError",
    message: "similarPairs(): threshold is 1.5: expected a number in -1..1",
  });
  const single = tf.tensor2d([[1, 2]]);
  assert.equal((await similarPairs(single, 0)).a.length, 0);
  tf.dispose([x, single]);
});

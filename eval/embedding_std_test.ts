import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { createRng } from "@simclr/internal/random";
import { embeddingStd } from "./embedding_std.ts";

await tf.setBackend("cpu");

async function value(z: tf.Tensor2D): Promise<number> {
  const std = embeddingStd(z);
  const [v] = await std.data();
  tf.dispose([z, std]);
  return v;
}

Deno.test("`embeddingStd()` is the mean unbiased std of the unit rows (hand-computed)", async () => {
  // Unit rows [1, 0], [0, 1], [-1, 0]. Dimension 0: 1, 0, -1 has mean 0 and unbiased variance
  // (1 + 0 + 1) / 2 = 1. Dimension 1: 0, 1, 0 has mean 1/3 and variance (1/9 + 4/9 + 1/9) / 2 =
  // 1/3. Mean std: (1 + 1/sqrt(3)) / 2 = 0.78868 (torch.std(normalize(z), dim=0).mean()).
  const before = tf.memory().numTensors;
  const got = await value(tf.tensor2d([[1, 0], [0, 2], [-3, 0]]));
  assert.ok(Math.abs(got - (1 + 1 / Math.sqrt(3)) / 2) < 1e-6, `${got}`);
  assert.equal(tf.memory().numTensors, before);
});

Deno.test("`embeddingStd()` matches lightly's std_of_l2_normalized on random rows", async () => {
  // torch.manual_seed(0); z = torch.randn(4, 3); std_of_l2_normalized(z) with torch 1.13.
  const z = tf.tensor2d([
    [1.5409960746765137, -0.293428897857666, -2.1787893772125244],
    [0.5684312582015991, -1.0845223665237427, -1.3985954523086548],
    [0.40334683656692505, 0.8380263447761536, -0.7192575931549072],
    [-0.40334352850914, -0.5966353416442871, 0.18203648924827576],
  ]);
  assert.ok(Math.abs(await value(z) - 0.5511888861656189) < 1e-6);
});

Deno.test("`embeddingStd()` is 0 for a collapsed embedding", async () => {
  assert.equal(await value(tf.tensor2d([[0.3, -1, 2], [0.3, -1, 2], [0.3, -1, 2]])), 0);
  // Rows along one direction normalise to the same vector.
  assert.ok(Math.abs(await value(tf.tensor2d([[1, 2], [2, 4], [0.5, 1]]))) < 1e-6);
});

Deno.test("`embeddingStd()` is about 1/sqrt(d) for isotropic Gaussian rows", async () => {
  // Unit vectors uniform on the sphere: each coordinate has mean 0 and variance 1/d.
  const rng = createRng(5);
  const n = 4000, d = 16;
  const z = tf.tensor2d(Float32Array.from({ length: n * d }, () => rng.normal()), [n, d]);
  const got = await value(z);
  assert.ok(Math.abs(got - 1 / Math.sqrt(d)) < 0.005, `${got}`);
});

Deno.test("`embeddingStd()` rejects fewer than two rows and other ranks", () => {
  const one = tf.tensor2d([[1, 2]]);
  assert.throws(() => embeddingStd(one), {
    name: "RangeError",
    message: "embeddingStd(): z has shape [1, 2]: expected [n, d] with n >= 2 rows",
  });
  const flat = tf.tensor1d([1, 2]);
  assert.throws(() => embeddingStd(flat as unknown as tf.Tensor2D), /z has shape \[2\]/);
  tf.dispose([one, flat]);
});

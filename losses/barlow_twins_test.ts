import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { barlowTwins } from "./barlow_twins.ts";
import { assertClose, assertGradientClose, randomRows, readFixture } from "./_test_utils.ts";

interface Fixture {
  n: number;
  dim: number;
  lambda: number;
  features: number[];
  loss: number;
  onDiagonal: number;
  offDiagonal: number;
  grad: number[];
}
const fixtures = await readFixture<Fixture>("barlow_twins.json");

await tf.setBackend("cpu");

function values(rows: number[][], lambda?: number): Record<string, number> {
  const features = tf.tensor2d(rows);
  const result = barlowTwins(features, lambda === undefined ? {} : { lambda });
  const out = Object.fromEntries(
    Object.entries(result).map(([key, t]) => [key, (t as tf.Tensor).dataSync()[0]]),
  );
  tf.dispose([features, ...Object.values(result)]);
  return out;
}

/** The definition, one number at a time, in float64. */
function plainBarlowTwins(rows: number[][], lambda: number) {
  const n = rows.length / 2;
  const dim = rows[0].length;
  const standardised = [rows.slice(0, n), rows.slice(n)].map((view) => {
    const columns = Array.from({ length: dim }, (_, d) => {
      const column = view.map((r) => r[d]);
      const mean = column.reduce((s, v) => s + v, 0) / n;
      const variance = column.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
      return column.map((v) => (v - mean) / Math.sqrt(variance + 1e-5));
    });
    return columns; // [D][N]
  });
  let onDiagonal = 0, offDiagonal = 0;
  for (let i = 0; i < dim; i++) {
    for (let j = 0; j < dim; j++) {
      let c = 0;
      for (let b = 0; b < n; b++) c += standardised[0][i][b] * standardised[1][j][b];
      c /= n;
      if (i === j) onDiagonal += (1 - c) ** 2;
      else offDiagonal += c ** 2;
    }
  }
  return { loss: onDiagonal + lambda * offDiagonal, onDiagonal, offDiagonal };
}

Deno.test("`barlowTwins()` matches the official code in PyTorch: loss, terms and gradient", () => {
  for (const c of fixtures) {
    const features = tf.tensor2d(c.features, [2 * c.n, c.dim]);
    const what = `n=${c.n} dim=${c.dim} lambda=${c.lambda}`;
    const got = barlowTwins(features, { lambda: c.lambda });
    assertClose(got.loss.dataSync()[0], c.loss, 1e-5, `${what} loss`);
    assertClose(got.onDiagonal.dataSync()[0], c.onDiagonal, 1e-5, `${what} onDiagonal`);
    assertClose(got.offDiagonal.dataSync()[0], c.offDiagonal, 1e-5, `${what} offDiagonal`);
    const grad = tf.grad((x: tf.Tensor) =>
      barlowTwins(x as tf.Tensor2D, { lambda: c.lambda }).loss
    )(features);
    assertGradientClose(grad.dataSync(), c.grad, 1e-4, `${what} gradient`);
    tf.dispose([features, grad, ...Object.values(got)]);
  }
});

Deno.test("`barlowTwins()` follows the documented definition", () => {
  for (const [n, dim, lambda] of [[2, 3, 0.0051], [5, 4, 0.5], [9, 7, 0]]) {
    const rows = randomRows(2 * n, dim, n * dim);
    const got = values(rows, lambda);
    const expected = plainBarlowTwins(rows, lambda);
    for (const key of ["loss", "onDiagonal", "offDiagonal"] as const) {
      assertClose(got[key], expected[key], 1e-5, `n=${n} ${key}`);
    }
  }
});

Deno.test("`barlowTwins()` has closed forms: equal views, opposite views, a constant feature", () => {
  // Two uncorrelated +-1 features over 4 images: standardised, they are themselves / sqrt(1 + eps).
  const view = [[1, 1], [1, -1], [-1, 1], [-1, -1]];
  const shrink = 1 / (1 + 1e-5);
  let got = values([...view, ...view]);
  assertClose(got.onDiagonal, 2 * (1 - shrink) ** 2, 1e-12, "equal views");
  assert.equal(got.offDiagonal, 0);
  // View 2 = -view 1: c = -I / (1 + eps), each diagonal term (1 + 1 / (1 + eps))^2.
  got = values([...view, ...view.map((r) => r.map((v) => -v))]);
  assertClose(got.onDiagonal, 2 * (1 + shrink) ** 2, 1e-6, "opposite views");
  // A feature constant over the batch standardises to 0: its diagonal term is (1 - 0)^2.
  got = values([...view, ...view.map(([a]) => [a, 7])]);
  assertClose(got.onDiagonal, (1 - shrink) ** 2 + 1, 1e-6, "constant feature");
  assertClose(got.offDiagonal, 0, 1e-12, "constant feature, off-diagonal");
});

Deno.test("`barlowTwins()` is lambda-linear and invariant to swapping views, reordering images and affine rescaling", () => {
  const rows = randomRows(16, 6, 31);
  const base = values(rows, 0.0051);
  assertClose(
    base.loss,
    base.onDiagonal + 0.0051 * base.offDiagonal,
    1e-6,
    "loss = on + lambda off",
  );
  assertClose(values(rows, 0.5).loss, base.onDiagonal + 0.5 * base.offDiagonal, 1e-6, "lambda 0.5");
  const swapped = values([...rows.slice(8), ...rows.slice(0, 8)], 0.0051);
  assertClose(swapped.loss, base.loss, 1e-5, "views swapped");
  const order = [5, 2, 7, 0, 1, 6, 4, 3];
  const permuted = values([...order.map((i) => rows[i]), ...order.map((i) => rows[8 + i])], 0.0051);
  assertClose(permuted.loss, base.loss, 1e-5, "images reordered");
  // Standardisation removes each feature's scale and shift (up to the epsilon's share).
  const affine = rows.map((r) => r.map((v, d) => 3 * (d + 1) * v - d));
  assertClose(values(affine, 0.0051).loss, base.loss, 1e-4, "affine");
});

Deno.test("`barlowTwins()` stays finite for zero rows, huge values and a batch of 2", () => {
  const cases: [string, number[][]][] = [
    ["zero rows", randomRows(8, 3, 41).map((r, i) => (i % 3 === 0 ? [0, 0, 0] : r))],
    ["all zero", Array.from({ length: 8 }, () => [0, 0, 0])],
    ["huge", randomRows(8, 3, 42).map((r) => r.map((v) => v * 1e30))],
    ["batch of 2", randomRows(4, 5, 43)],
  ];
  for (const [name, rows] of cases) {
    const features = tf.tensor2d(rows);
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => barlowTwins(x as tf.Tensor2D).loss)(
      features,
    );
    assert.ok(Number.isFinite(value.dataSync()[0]), `${name}: loss ${value.dataSync()[0]}`);
    assert.ok(grad.dataSync().every(Number.isFinite), `${name}: non-finite gradient`);
    tf.dispose([features, value, grad]);
  }
  // All-zero features: every c_ij is 0, so the loss is D.
  assert.equal(values(Array.from({ length: 8 }, () => [0, 0, 0])).loss, 3);
  // Huge values give the loss of the same features at unit scale (up to the epsilon's share).
  const rows = randomRows(8, 3, 42);
  assertClose(
    values(rows.map((r) => r.map((v) => v * 1e30))).loss,
    values(rows).loss,
    1e-4,
    "huge vs unit",
  );
});

Deno.test("`barlowTwins()` rejects bad input with errors naming the value", () => {
  const ok = tf.zeros([8, 4]) as tf.Tensor2D;
  const rank3 = tf.zeros([2, 4, 4]) as unknown as tf.Tensor2D;
  const odd = tf.zeros([9, 4]) as tf.Tensor2D;
  const two = tf.zeros([2, 4]) as tf.Tensor2D;
  const ints = tf.zeros([8, 4], "int32") as tf.Tensor2D;
  assert.throws(() => barlowTwins(rank3), {
    name: "TypeError",
    message: "barlowTwins(): features has shape [2, 4, 4]: expected rank 2 [2N, D]",
  });
  assert.throws(() => barlowTwins(ints), {
    name: "TypeError",
    message: "barlowTwins(): features has dtype int32: expected float32",
  });
  for (const [t, rows] of [[odd, 9], [two, 2]] as const) {
    assert.throws(() => barlowTwins(t), {
      name: "RangeError",
      message: `barlowTwins(): features has ${rows} rows: expected an even number, at least 4 ` +
        "(two views of N >= 2 images: a batch of 1 has no variance)",
    });
  }
  for (const lambda of [-1, NaN, Infinity]) {
    assert.throws(() => barlowTwins(ok, { lambda }), {
      name: "RangeError",
      message: `barlowTwins(): options.lambda is ${lambda}: expected a number >= 0`,
    });
  }
  tf.dispose([ok, rank3, odd, two, ints]);
});

Deno.test("`barlowTwins()` leaks no tensors, also under gradients", () => {
  const features = tf.tensor2d(randomRows(16, 8, 9));
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    tf.dispose(Object.values(barlowTwins(features)));
    tf.dispose(tf.grad((x: tf.Tensor) => barlowTwins(x as tf.Tensor2D).loss)(features));
  }
  assert.equal(tf.memory().numTensors, before);
  features.dispose();
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { byolLoss } from "./byol_loss.ts";
import {
  assertClose,
  assertGradientClose,
  plainUnitRows,
  randomRows,
  readFixture,
} from "./_test_utils.ts";

interface Fixture {
  n: number;
  dim: number;
  predictions: number[];
  targets: number[];
  loss: number;
  grad: number[];
}
const fixtures = await readFixture<Fixture>("byol_loss.json");

await tf.setBackend("cpu");

function lossOf(predictions: number[][], targets: number[][]): number {
  const [p, z] = [tf.tensor2d(predictions), tf.tensor2d(targets)];
  const loss = byolLoss(p, z);
  const value = loss.dataSync()[0];
  tf.dispose([p, z, loss]);
  return value;
}

/** The definition in float64: both directions' batch means of 2 - 2 cos, summed. */
function plainByol(predictions: number[][], targets: number[][]): number {
  const n = predictions.length / 2;
  const [p, z] = [plainUnitRows(predictions), plainUnitRows(targets)];
  let total = 0;
  for (let i = 0; i < 2 * n; i++) {
    const partner = z[(i + n) % (2 * n)];
    total += 2 - 2 * p[i].reduce((s, v, d) => s + v * partner[d], 0);
  }
  return total / n;
}

Deno.test("`byolLoss()` matches the official code in PyTorch: loss and gradient, none into the targets", () => {
  for (const c of fixtures) {
    const predictions = tf.tensor2d(c.predictions, [2 * c.n, c.dim]);
    const targets = tf.tensor2d(c.targets, [2 * c.n, c.dim]);
    const what = `n=${c.n} dim=${c.dim}`;
    const { value, grads } = tf.valueAndGrads((p: tf.Tensor, z: tf.Tensor) =>
      byolLoss(p as tf.Tensor2D, z as tf.Tensor2D)
    )([predictions, targets]);
    assertClose(value.dataSync()[0], c.loss, 1e-5, `${what} loss`);
    assertGradientClose(grads[0].dataSync(), c.grad, 1e-4, `${what} gradient`);
    assert.ok(grads[1].dataSync().every((g) => g === 0), `${what}: a gradient reached the targets`);
    tf.dispose([predictions, targets, value, ...grads]);
  }
});

Deno.test("`byolLoss()` follows the documented definition and stays in [0, 8]", () => {
  for (const [n, dim] of [[1, 2], [4, 5], [16, 3]]) {
    const [p, z] = [randomRows(2 * n, dim, n), randomRows(2 * n, dim, n + 100)];
    const got = lossOf(p, z);
    assertClose(got, plainByol(p, z), 1e-5, `n=${n}`);
    assert.ok(got >= 0 && got <= 8, `n=${n}: ${got}`);
  }
});

Deno.test("`byolLoss()` is 0 for aligned, 4 for orthogonal and 8 for opposite predictions", () => {
  const z = randomRows(6, 4, 7);
  const partner = [...z.slice(3), ...z.slice(0, 3)]; // the other view's target of each row
  const scaled = partner.map((r, i) => r.map((v) => v * (i + 0.5))); // lengths do not matter
  assertClose(lossOf(scaled, z), 0, 1e-6, "aligned");
  assertClose(lossOf(scaled.map((r) => r.map((v) => -v)), z), 8, 1e-6, "opposite");
  const eye = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
  // Rows i and i + 2 are partners; predictions point along axes their partners do not.
  assertClose(
    lossOf([eye[1], eye[0], eye[3], eye[2]], [eye[2], eye[3], eye[0], eye[1]]),
    4,
    1e-6,
    "orthogonal",
  );
});

Deno.test("`byolLoss()` is symmetric under swapping the views", () => {
  const [p, z] = [randomRows(10, 6, 3), randomRows(10, 6, 4)];
  const swap = (rows: number[][]) => [...rows.slice(5), ...rows.slice(0, 5)];
  assertClose(lossOf(swap(p), swap(z)), lossOf(p, z), 1e-6, "swapped");
});

Deno.test("`byolLoss()` stays finite for zero rows, huge values and one image", () => {
  const cases: [string, number[][], number[][]][] = [
    [
      "zero rows",
      randomRows(8, 3, 1).map((r, i) => (i % 3 ? r : [0, 0, 0])),
      randomRows(8, 3, 2).map((r, i) => (i === 1 ? [0, 0, 0] : r)),
    ],
    [
      "huge",
      randomRows(8, 3, 3).map((r) => r.map((v) => v * 1e30)),
      randomRows(8, 3, 4).map((r) => r.map((v) => v * 1e30)),
    ],
    ["one image", randomRows(2, 3, 5), randomRows(2, 3, 6)],
  ];
  for (const [name, predictions, targets] of cases) {
    const [p, z] = [tf.tensor2d(predictions), tf.tensor2d(targets)];
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => byolLoss(x as tf.Tensor2D, z))(p);
    assert.ok(Number.isFinite(value.dataSync()[0]), `${name}: loss ${value.dataSync()[0]}`);
    assert.ok(grad.dataSync().every(Number.isFinite), `${name}: non-finite gradient`);
    tf.dispose([p, z, value, grad]);
  }
  // A zero prediction against a unit target costs 1 (|0 - z|^2), against a zero target 0.
  assertClose(lossOf([[0, 0], [0, 0]], [[3, 4], [0, 0]]), 1 + 0, 1e-6, "zero rows");
  // Huge values give the loss of the same directions at unit scale.
  const [p, z] = [randomRows(8, 3, 3), randomRows(8, 3, 4)];
  const huge = (rows: number[][]) => rows.map((r) => r.map((v) => v * 1e30));
  assertClose(lossOf(huge(p), huge(z)), lossOf(p, z), 1e-5, "huge vs unit");
});

Deno.test("`byolLoss()` rejects bad input with errors naming the value", () => {
  const ok = tf.zeros([8, 4]) as tf.Tensor2D;
  const other = tf.zeros([8, 5]) as tf.Tensor2D;
  const rank3 = tf.zeros([2, 4, 4]) as unknown as tf.Tensor2D;
  const odd = tf.zeros([9, 4]) as tf.Tensor2D;
  const ints = tf.zeros([8, 4], "int32") as tf.Tensor2D;
  assert.throws(() => byolLoss(rank3, ok), {
    name: "TypeError",
    message: "byolLoss(): predictions has shape [2, 4, 4]: expected rank 2 [2N, D]",
  });
  assert.throws(() => byolLoss(ok, ints), {
    name: "TypeError",
    message: "byolLoss(): targets has dtype int32: expected float32",
  });
  assert.throws(() => byolLoss(ok, null as unknown as tf.Tensor2D), {
    name: "TypeError",
    message: "byolLoss(): targets is null: expected a tf.Tensor2D",
  });
  assert.throws(() => byolLoss(ok, other), {
    name: "RangeError",
    message: "byolLoss(): targets has shape [8, 5]: expected the shape of predictions, [8, 4]",
  });
  assert.throws(() => byolLoss(odd, odd), {
    name: "RangeError",
    message: "byolLoss(): predictions has 9 rows: expected a positive even number (2 views of N)",
  });
  tf.dispose([ok, other, rank3, odd, ints]);
});

Deno.test("`byolLoss()` leaks no tensors, also under gradients", () => {
  const [p, z] = [tf.tensor2d(randomRows(16, 8, 9)), tf.tensor2d(randomRows(16, 8, 10))];
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    tf.dispose(byolLoss(p, z));
    tf.dispose(
      tf.grads((a: tf.Tensor, b: tf.Tensor) => byolLoss(a as tf.Tensor2D, b as tf.Tensor2D))([
        p,
        z,
      ]),
    );
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([p, z]);
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { infoNCE } from "./info_nce.ts";
import { assertClose, randomRows, tutorialInfoNCE } from "./_test_utils.ts";

interface Fixture {
  pairs: number;
  dim: number;
  temperature: number;
  features: number[];
  loss: number;
  top1: number;
  top5: number;
  meanPos: number;
  grad: number[];
}
const fixtures: Fixture[] = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/info_nce.json", import.meta.url)),
).cases;

await tf.setBackend("cpu");

function values(result: ReturnType<typeof infoNCE>): Record<string, number> {
  const out = Object.fromEntries(
    Object.entries(result).map(([key, t]) => [key, (t as tf.Tensor).dataSync()[0]]),
  );
  tf.dispose(Object.values(result));
  return out;
}

/** The general definition (any nViews), one number at a time, in float64. */
function plainInfoNCE(rows: number[][], temperature: number, nViews: number) {
  const n = rows.length / nViews;
  const unit = rows.map((r) => {
    const norm = Math.max(Math.hypot(...r), 1e-8);
    return r.map((v) => v / norm);
  });
  const sim = (i: number, k: number) =>
    unit[i].reduce((s, v, d) => s + v * unit[k][d], 0) / temperature;
  let loss = 0, top1 = 0, top5 = 0, rankSum = 0, pairs = 0;
  for (let i = 0; i < rows.length; i++) {
    let sumExp = 0;
    for (let k = 0; k < rows.length; k++) if (k !== i) sumExp += Math.exp(sim(i, k));
    for (let p = i % n; p < rows.length; p += n) {
      if (p === i) continue;
      let rank = 0;
      for (let k = 0; k < rows.length; k++) {
        if (k % n !== i % n && sim(i, k) > sim(i, p)) rank++;
      }
      loss += -sim(i, p) + Math.log(sumExp);
      top1 += Number(rank < 1);
      top5 += Number(rank < 5);
      rankSum += rank;
      pairs++;
    }
  }
  return {
    loss: loss / pairs,
    top1: top1 / pairs,
    top5: top5 / pairs,
    meanPos: 1 + rankSum / pairs,
  };
}

Deno.test("`infoNCE()` matches the tutorial's PyTorch code: loss, metrics and gradient", () => {
  for (const c of fixtures) {
    const features = tf.tensor2d(c.features, [2 * c.pairs, c.dim]);
    const got = values(infoNCE(features, { temperature: c.temperature }));
    const what = `pairs=${c.pairs} dim=${c.dim} T=${c.temperature}`;
    assertClose(got.loss, c.loss, 1e-5, `${what} loss`);
    assert.equal(got.top1, c.top1, `${what} top1`);
    assert.equal(got.top5, c.top5, `${what} top5`);
    assert.equal(got.meanPos, c.meanPos, `${what} meanPos`);

    const grad = tf.grad((x: tf.Tensor) =>
      infoNCE(x as tf.Tensor2D, { temperature: c.temperature }).loss
    )(features);
    const gradValues = grad.dataSync();
    const scale = Math.max(...c.grad.map(Math.abs));
    const maxError = c.grad.reduce((m, g, i) => Math.max(m, Math.abs(g - gradValues[i])), 0);
    assert.ok(maxError <= 1e-4 * scale, `${what} gradient: max error ${maxError} of ${scale}`);
    tf.dispose([features, grad]);
  }
});

Deno.test("`infoNCE()` equals the tutorial's broadcast formulation on random batches", () => {
  for (const [pairs, dim, temperature] of [[3, 5, 0.07], [10, 7, 0.2], [20, 16, 1.5]]) {
    const features = tf.tensor2d(randomRows(2 * pairs, dim, pairs));
    const got = values(infoNCE(features, { temperature }));
    const reference = tutorialInfoNCE(features, temperature);
    assertClose(got.loss, reference.loss.dataSync()[0], 1e-5, "loss");
    assertClose(got.top1, reference.top1, 1e-6, "top1");
    assertClose(got.top5, reference.top5, 1e-6, "top5");
    assertClose(got.meanPos, reference.meanPos, 1e-6, "meanPos");
    tf.dispose([features, reference.loss]);
  }
});

Deno.test("`infoNCE()` follows the documented definition for nViews = 3 and 4", () => {
  for (const [nViews, n, dim, temperature] of [[3, 4, 6, 0.1], [4, 3, 5, 0.5]]) {
    const rows = randomRows(nViews * n, dim, 7 * nViews);
    const features = tf.tensor2d(rows);
    const got = values(infoNCE(features, { temperature, nViews }));
    const expected = plainInfoNCE(rows, temperature, nViews);
    assertClose(got.loss, expected.loss, 1e-5, "loss");
    assertClose(got.top1, expected.top1, 1e-6, "top1");
    assertClose(got.top5, expected.top5, 1e-6, "top5");
    assertClose(got.meanPos, expected.meanPos, 1e-6, "meanPos");
    features.dispose();
  }
});

Deno.test("`infoNCE()` has the closed form when positives are identical and negatives orthogonal", () => {
  // N one-hot directions, each repeated as its own second view.
  for (const [n, temperature] of [[2, 0.07], [5, 0.5], [16, 1]]) {
    const features = tf.tidy(() => tf.tile(tf.eye(n), [2, 1]) as tf.Tensor2D);
    const got = values(infoNCE(features, { temperature }));
    // -1/T + log(e^(1/T) + (2N - 2) e^0)
    const expected = -1 / temperature + Math.log(Math.exp(1 / temperature) + 2 * n - 2);
    assertClose(got.loss, expected, 1e-6, `loss N=${n}`);
    assert.deepEqual([got.top1, got.top5, got.meanPos], [1, 1, 1]);
    features.dispose();
  }
});

Deno.test("`infoNCE()` gives log(2N - 1) when every row is the same", () => {
  for (const n of [2, 8, 32]) {
    const features = tf.tidy(() => tf.ones([2 * n, 4]) as tf.Tensor2D);
    const got = values(infoNCE(features, { temperature: 0.01 }));
    assertClose(got.loss, Math.log(2 * n - 1), 1e-5, `loss N=${n}`);
    features.dispose();
  }
});

Deno.test("`infoNCE()` is symmetric under swapping the two views", () => {
  const rows = randomRows(24, 8, 3);
  const swapped = [...rows.slice(12), ...rows.slice(0, 12)];
  const [a, b] = [tf.tensor2d(rows), tf.tensor2d(swapped)];
  const [first, second] = [values(infoNCE(a)), values(infoNCE(b))];
  assertClose(first.loss, second.loss, 1e-6, "loss");
  assert.deepEqual(
    [first.top1, first.top5, first.meanPos],
    [second.top1, second.top5, second.meanPos],
  );
  tf.dispose([a, b]);
});

Deno.test("`infoNCE()` stays finite for identical rows at T = 0.01, zero rows and huge values", () => {
  const cases: [string, number[][]][] = [
    ["identical", Array.from({ length: 8 }, () => [1, 2, 3])],
    ["zeros", Array.from({ length: 8 }, (_, i) => (i % 3 === 0 ? [0, 0, 0] : [i, 1, -i]))],
    ["huge", randomRows(8, 3, 11).map((r) => r.map((v) => v * 1e30))],
  ];
  for (const [name, rows] of cases) {
    const features = tf.tensor2d(rows);
    const { value, grad: grads } = tf.valueAndGrad((x: tf.Tensor) =>
      infoNCE(x as tf.Tensor2D, { temperature: 0.01 }).loss
    )(features);
    assert.ok(Number.isFinite(value.dataSync()[0]), `${name}: loss ${value.dataSync()[0]}`);
    assert.ok(grads.dataSync().every(Number.isFinite), `${name}: non-finite gradient`);
    tf.dispose([features, value, grads]);
  }
  // Huge values give the same loss as the same directions at unit scale.
  const rows = randomRows(8, 3, 11);
  const [unit, huge] = [tf.tensor2d(rows), tf.tensor2d(rows.map((r) => r.map((v) => v * 1e30)))];
  assertClose(values(infoNCE(huge)).loss, values(infoNCE(unit)).loss, 1e-5, "huge vs unit");
  tf.dispose([unit, huge]);
});

Deno.test("`infoNCE()` gradients reach every feature", () => {
  const features = tf.tensor2d(randomRows(16, 8, 5));
  const grad = tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D).loss)(features);
  const g = grad.dataSync();
  assert.ok(g.some((v) => v !== 0) && g.every(Number.isFinite));
  tf.dispose([features, grad]);
});

Deno.test("`infoNCE()` rejects bad input with errors naming the value", () => {
  const ok = tf.zeros([8, 4]) as tf.Tensor2D;
  const rank3 = tf.zeros([2, 4, 4]) as unknown as tf.Tensor2D;
  const odd = tf.zeros([9, 4]) as tf.Tensor2D;
  const tiny = tf.zeros([2, 4]) as tf.Tensor2D;
  const ints = tf.zeros([8, 4], "int32") as tf.Tensor2D;
  assert.throws(() => infoNCE(rank3), {
    name: "TypeError",
    message: "infoNCE(): features has shape [2, 4, 4]: expected rank 2 [nViews * N, D]",
  });
  assert.throws(() => infoNCE(ints), {
    name: "TypeError",
    message: "infoNCE(): features has dtype int32: expected float32",
  });
  assert.throws(() => infoNCE(odd), {
    name: "RangeError",
    message: "infoNCE(): features has 9 rows: expected a multiple of options.nViews = 2",
  });
  assert.throws(() => infoNCE(tiny), {
    name: "RangeError",
    message:
      "infoNCE(): features has 2 rows: expected at least 4 (2 per view for options.nViews = 2: an image and a negative)",
  });
  assert.throws(() => infoNCE(ok, { nViews: 1 }), {
    name: "RangeError",
    message: "infoNCE(): options.nViews is 1: expected an integer >= 2",
  });
  assert.throws(() => infoNCE(ok, { nViews: 2.5 }), {
    name: "RangeError",
    message: "infoNCE(): options.nViews is 2.5: expected an integer >= 2",
  });
  for (const temperature of [0, -1, NaN, Infinity]) {
    assert.throws(() => infoNCE(ok, { temperature }), {
      name: "RangeError",
      message: `infoNCE(): options.temperature is ${temperature}: expected a number > 0`,
    });
  }
  tf.dispose([ok, rank3, odd, tiny, ints]);
});

Deno.test("`infoNCE()` leaks no tensors, also under gradients", () => {
  const features = tf.tensor2d(randomRows(16, 8, 9));
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    tf.dispose(Object.values(infoNCE(features)));
    tf.dispose(tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D).loss)(features));
  }
  assert.equal(tf.memory().numTensors, before);
  features.dispose();
});

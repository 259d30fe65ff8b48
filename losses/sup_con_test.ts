import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { infoNCE } from "./info_nce.ts";
import { supCon, type SupConOptions } from "./sup_con.ts";
import {
  assertClose,
  assertGradientClose,
  plainUnitRows,
  randomRows,
  readFixture,
} from "./_test_utils.ts";

interface Fixture {
  nViews: number;
  n: number;
  dim: number;
  temperature: number;
  baseTemperature: number;
  labels: number[] | null;
  features: number[];
  loss: number;
  grad: number[];
}
const fixtures = await readFixture<Fixture>("sup_con.json");

await tf.setBackend("cpu");

/** The loss as a number, inputs made from plain arrays (and disposed). */
function lossOf(
  rows: number[][],
  options: Omit<SupConOptions, "labels"> & { labels?: number[] } = {},
): number {
  const features = tf.tensor2d(rows);
  const labels = options.labels ? tf.tensor1d(options.labels, "int32") : undefined;
  const { loss } = supCon(features, { ...options, labels });
  const value = loss.dataSync()[0];
  tf.dispose([features, loss, ...(labels ? [labels] : [])]);
  return value;
}

function infoNCELoss(rows: number[][], temperature: number, nViews: number): number {
  const features = tf.tensor2d(rows);
  const result = infoNCE(features, { temperature, nViews });
  const value = result.loss.dataSync()[0];
  tf.dispose([features, ...Object.values(result)]);
  return value;
}

/** The definition, one number at a time, in float64: the mean over anchors. */
function plainSupCon(
  rows: number[][],
  labels: number[] | null,
  nViews: number,
  temperature: number,
  baseTemperature: number,
): number {
  const n = rows.length / nViews;
  const unit = plainUnitRows(rows);
  const cls = (i: number) => (labels ? labels[i % n] : i % n);
  const sim = (i: number, k: number) =>
    unit[i].reduce((s, v, d) => s + v * unit[k][d], 0) / temperature;
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    let sumExp = 0, positive = 0, count = 0;
    for (let k = 0; k < rows.length; k++) {
      if (k === i) continue;
      sumExp += Math.exp(sim(i, k));
      if (cls(k) === cls(i)) {
        positive += sim(i, k);
        count++;
      }
    }
    total += Math.log(sumExp) - positive / count;
  }
  return (temperature / baseTemperature) * total / rows.length;
}

Deno.test("`supCon()` matches the official SupConLoss in PyTorch: loss and gradient", () => {
  assert.ok(fixtures.some((c) => c.labels !== null) && fixtures.some((c) => c.labels === null));
  for (const c of fixtures) {
    const features = tf.tensor2d(c.features, [c.nViews * c.n, c.dim]);
    const labels = c.labels ? tf.tensor1d(c.labels, "int32") : undefined;
    const options = {
      labels,
      nViews: c.nViews,
      temperature: c.temperature,
      baseTemperature: c.baseTemperature,
    };
    const what = `nViews=${c.nViews} n=${c.n} T=${c.temperature} labels=${c.labels !== null}`;
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      supCon(x as tf.Tensor2D, options).loss
    )(features);
    assertClose(value.dataSync()[0], c.loss, 1e-5, `${what} loss`);
    assertGradientClose(grad.dataSync(), c.grad, 1e-4, `${what} gradient`);
    tf.dispose([features, value, grad, ...(labels ? [labels] : [])]);
  }
});

Deno.test("`supCon()` without labels equals `infoNCE()`'s loss for 2, 3 and 4 views", () => {
  for (const [nViews, n, dim, temperature] of [[2, 8, 16, 0.07], [3, 5, 6, 0.2], [4, 3, 8, 1]]) {
    const rows = randomRows(nViews * n, dim, 13 * nViews);
    const expected = infoNCELoss(rows, temperature, nViews);
    assertClose(lossOf(rows, { nViews, temperature }), expected, 1e-6, `nViews=${nViews}`);
    // Labels that are all different say the same: each image its own class.
    const labels = Array.from({ length: n }, (_, i) => 10 * i + 3);
    assertClose(lossOf(rows, { nViews, temperature, labels }), expected, 1e-6, "distinct labels");
  }
});

Deno.test("`supCon()` follows the documented definition with labels", () => {
  const cases: [number, number, number, number, number, number[]][] = [
    [2, 6, 5, 0.1, 0.07, [0, 1, 0, 2, 1, 0]],
    [3, 4, 8, 0.5, 0.5, [1, 1, 1, 1]],
    [4, 3, 4, 0.07, 0.1, [2, 0, 2]],
  ];
  for (const [nViews, n, dim, temperature, baseTemperature, labels] of cases) {
    const rows = randomRows(nViews * n, dim, 5 * n);
    assertClose(
      lossOf(rows, { nViews, temperature, baseTemperature, labels }),
      plainSupCon(rows, labels, nViews, temperature, baseTemperature),
      1e-5,
      `nViews=${nViews} labels=${labels}`,
    );
  }
});

Deno.test("`supCon()` has the closed form for identical positives and orthogonal classes", () => {
  // k classes of m images each; every image of class c is the one-hot direction c.
  for (const [k, m, temperature] of [[2, 2, 0.5], [3, 4, 0.1], [5, 1, 1]]) {
    const labels = Array.from({ length: k * m }, (_, i) => i % k);
    const view = labels.map((c) => Array.from({ length: k }, (_, d) => Number(d === c)));
    // Each anchor: 2m - 1 positives at 1/T, 2(k - 1)m negatives at 0.
    const expected = Math.log(2 * m - 1 + 2 * (k - 1) * m * Math.exp(-1 / temperature));
    assertClose(lossOf([...view, ...view], { labels, temperature }), expected, 1e-5, `k=${k}`);
  }
});

Deno.test("`supCon()` scales with temperature / baseTemperature", () => {
  const rows = randomRows(12, 6, 21);
  const labels = [0, 1, 0, 1, 2, 2];
  const base = lossOf(rows, { labels, temperature: 0.2 });
  assertClose(
    lossOf(rows, { labels, temperature: 0.2, baseTemperature: 0.07 }),
    base * 0.2 / 0.07,
    1e-6,
    "scale",
  );
});

Deno.test("`supCon()` is invariant to swapping the views and to reordering the images", () => {
  const rows = randomRows(16, 5, 17);
  const labels = [0, 1, 2, 0, 1, 2, 0, 1];
  const base = lossOf(rows, { labels });
  const swapped = [...rows.slice(8), ...rows.slice(0, 8)];
  assertClose(lossOf(swapped, { labels }), base, 1e-6, "views swapped");
  const order = [3, 0, 7, 1, 6, 2, 5, 4];
  const permuted = [...order.map((i) => rows[i]), ...order.map((i) => rows[8 + i])];
  assertClose(lossOf(permuted, { labels: order.map((i) => labels[i]) }), base, 1e-6, "permuted");
});

Deno.test("`supCon()` stays finite for identical rows at T = 0.01, zero rows, huge values and a batch of 2", () => {
  const cases: [string, number[][], number[] | undefined][] = [
    ["identical", Array.from({ length: 8 }, () => [1, 2, 3]), [0, 1, 0, 1]],
    ["zeros", Array.from({ length: 8 }, (_, i) => (i % 3 === 0 ? [0, 0, 0] : [i, 1, -i])), [
      0,
      0,
      1,
      1,
    ]],
    ["huge", randomRows(8, 3, 11).map((r) => r.map((v) => v * 1e30)), [1, 0, 1, 0]],
    ["batch of 2", randomRows(4, 3, 12), [0, 0]],
    ["one image", randomRows(2, 3, 14), undefined],
  ];
  for (const [name, rows, labels] of cases) {
    const features = tf.tensor2d(rows);
    const labelTensor = labels ? tf.tensor1d(labels, "int32") : undefined;
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
      supCon(x as tf.Tensor2D, { labels: labelTensor, temperature: 0.01 }).loss
    )(features);
    assert.ok(Number.isFinite(value.dataSync()[0]), `${name}: loss ${value.dataSync()[0]}`);
    assert.ok(grad.dataSync().every(Number.isFinite), `${name}: non-finite gradient`);
    tf.dispose([features, value, grad, ...(labelTensor ? [labelTensor] : [])]);
  }
  // One image and its twin view: the positive is the only other row, so the loss is 0.
  assert.ok(Math.abs(lossOf(randomRows(2, 3, 14))) < 1e-6);
  // Huge values give the same loss as the same directions at unit scale.
  const rows = randomRows(8, 3, 11);
  const huge = rows.map((r) => r.map((v) => v * 1e30));
  assertClose(
    lossOf(huge, { labels: [1, 0, 1, 0] }),
    lossOf(rows, { labels: [1, 0, 1, 0] }),
    1e-5,
    "huge",
  );
});

Deno.test("`supCon()` rejects bad input with errors naming the value", () => {
  const ok = tf.zeros([8, 4]) as tf.Tensor2D;
  const rank3 = tf.zeros([2, 4, 4]) as unknown as tf.Tensor2D;
  const odd = tf.zeros([9, 4]) as tf.Tensor2D;
  const ints = tf.zeros([8, 4], "int32") as tf.Tensor2D;
  const labels3 = tf.tensor1d([0, 1, 2], "int32");
  const floatLabels = tf.tensor1d([0, 1, 2, 3]);
  assert.throws(() => supCon(rank3), {
    name: "TypeError",
    message: "supCon(): features has shape [2, 4, 4]: expected rank 2 [nViews * N, D]",
  });
  assert.throws(() => supCon(ints), {
    name: "TypeError",
    message: "supCon(): features has dtype int32: expected float32",
  });
  assert.throws(() => supCon(odd), {
    name: "RangeError",
    message: "supCon(): features has 9 rows: expected a positive multiple of options.nViews = 2",
  });
  assert.throws(() => supCon(ok, { labels: labels3 }), {
    name: "RangeError",
    message:
      "supCon(): options.labels has shape [3]: expected [4] (one label per image: 8 rows / options.nViews = 2)",
  });
  assert.throws(() => supCon(ok, { labels: floatLabels as tf.Tensor1D }), {
    name: "TypeError",
    message: "supCon(): options.labels has dtype float32: expected int32",
  });
  assert.throws(() => supCon(ok, { labels: [0, 1, 2, 3] as unknown as tf.Tensor1D }), {
    name: "TypeError",
    message: "supCon(): options.labels is [0, 1, 2, 3]: expected a tf.Tensor1D",
  });
  assert.throws(() => supCon(ok, { nViews: 1 }), {
    name: "RangeError",
    message: "supCon(): options.nViews is 1: expected an integer >= 2",
  });
  for (const temperature of [0, -1, NaN, Infinity]) {
    assert.throws(() => supCon(ok, { temperature }), {
      name: "RangeError",
      message: `supCon(): options.temperature is ${temperature}: expected a number > 0`,
    });
  }
  assert.throws(() => supCon(ok, { baseTemperature: 0 }), {
    name: "RangeError",
    message: "supCon(): options.baseTemperature is 0: expected a number > 0",
  });
  tf.dispose([ok, rank3, odd, ints, labels3, floatLabels]);
});

Deno.test("`supCon()` leaks no tensors, also under gradients", () => {
  const features = tf.tensor2d(randomRows(16, 8, 9));
  const labels = tf.tensor1d([0, 1, 2, 3, 0, 1, 2, 3], "int32");
  const before = tf.memory().numTensors;
  for (let step = 0; step < 3; step++) {
    tf.dispose(supCon(features, { labels }).loss);
    tf.dispose(tf.grad((x: tf.Tensor) => supCon(x as tf.Tensor2D, { labels }).loss)(features));
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([features, labels]);
});

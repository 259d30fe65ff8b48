import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { infoNCE } from "@simclr/losses";
import { MLPHead, simclrNet } from "@simclr/models";
import { AdamW } from "./adamw.ts";
import { contrastiveLoss } from "./contrastive_loss.ts";
import { NonFiniteLossError } from "./non_finite_loss_error.ts";
import { computeGradients, trainStep } from "./train_step.ts";
import { validateContrastive } from "./validate_contrastive.ts";

await selectBackend("cpu", { log: null });

/** A 2 -> 1 linear head with weight [w1, w2] and bias b (PyTorch layout in, ours inside). */
function linearHead(w: [number, number], b: number): MLPHead {
  const head = new MLPHead([2, 1]);
  const state = new Map<string, tf.Tensor>([["weight", tf.tensor2d([w])], [
    "bias",
    tf.tensor1d([b]),
  ]]);
  head.loadStateDict(state);
  tf.dispose([...state.values()]);
  return head;
}

Deno.test("`computeGradients()` gives the closed-form gradient, keyed by parameter name", async () => {
  const head = linearHead([0.5, -1], 0.25);
  const x = tf.tensor2d([[1, 2], [3, -1]]);
  // loss = sum over rows of (x.w + b)^2: rows give -1.25 and 2.75;
  // dL/dw = 2 * sum (x.w + b) x = 2 * (-1.25 * [1, 2] + 2.75 * [3, -1]) = [14, -10.5]
  // dL/db = 2 * (-1.25 + 2.75) = 3
  const { loss, metrics, grads } = computeGradients(head, () => ({
    loss: tf.sum(tf.square(head.apply(x))) as tf.Scalar,
  }));
  assert.deepEqual([...grads.keys()], ["weight", "bias"]);
  assert.equal((await loss.data())[0], 1.25 ** 2 + 2.75 ** 2);
  assert.deepEqual(metrics, {});
  assert.deepEqual(Array.from(await grads.get("weight")!.data()), [14, -10.5]);
  assert.deepEqual(Array.from(await grads.get("bias")!.data()), [3]);
  tf.dispose([x, loss, ...grads.values()]);
  head.dispose();
});

Deno.test("`trainStep()` is the gradients, then one optimiser step, with loss and metrics read", async () => {
  const x = tf.tensor2d([[1, 2], [3, -1]]);
  const lossFn = (head: MLPHead) => () => ({
    loss: tf.sum(tf.square(head.apply(x))) as tf.Scalar,
    metrics: { mean: tf.mean(head.apply(x)) as tf.Scalar },
  });
  // By hand: the same gradients through the same optimiser.
  const manual = linearHead([0.5, -1], 0.25);
  const manualOptimizer = new AdamW(manual.parameters(), { lr: 0.1, weightDecay: 0.5 });
  const { loss, metrics, grads } = computeGradients(manual, lossFn(manual));
  manualOptimizer.step(grads);
  tf.dispose([loss, ...Object.values(metrics), ...grads.values()]);

  const head = linearHead([0.5, -1], 0.25);
  const optimizer = new AdamW(head.parameters(), { lr: 0.1, weightDecay: 0.5 });
  const before = tf.memory().numTensors;
  const result = await trainStep(head, optimizer, lossFn(head));
  assert.deepEqual(result, { loss: 1.25 ** 2 + 2.75 ** 2, metrics: { mean: (2.75 - 1.25) / 2 } });
  for (const [name, v] of head.parameters()) {
    assert.deepEqual(await v.data(), await manual.parameters().get(name)!.data(), name);
  }
  // The optimiser's moments are the only tensors the step added.
  assert.equal(tf.memory().numTensors, before + 2 * head.parameters().size);
  await trainStep(head, optimizer, lossFn(head));
  assert.equal(tf.memory().numTensors, before + 2 * head.parameters().size);
  for (const o of [optimizer, manualOptimizer]) o.dispose();
  for (const m of [head, manual]) m.dispose();
  x.dispose();
});

Deno.test("`trainStep()` on a NaN loss leaves the parameters alone and throws `NonFiniteLossError`", async () => {
  const head = linearHead([0.5, -1], 0.25);
  const optimizer = new AdamW(head.parameters(), { lr: 0.1 });
  const before = tf.memory().numTensors;
  const x = tf.tensor2d([[NaN, 1]]);
  await assert.rejects(
    () => trainStep(head, optimizer, () => ({ loss: tf.sum(head.apply(x)) as tf.Scalar })),
    (error: unknown) => error instanceof NonFiniteLossError && Number.isNaN(error.value),
  );
  x.dispose();
  assert.deepEqual(Array.from(await head.parameters().get("weight")!.data()), [0.5, -1]);
  assert.equal(tf.memory().numTensors, before);
  optimizer.dispose();
  head.dispose();
});

Deno.test("`contrastiveLoss()` is InfoNCE of the projections, with the tutorial's metric names", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const views = tf.randomNormal([12, 8, 8, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const [ours, reference] = tf.tidy(() => {
    const { loss, metrics } = contrastiveLoss(model, views, { temperature: 0.5, training: false });
    const z = model.apply(views, { training: false });
    const r = infoNCE(z, { temperature: 0.5 });
    return [
      tf.stack([loss, metrics!.acc_top1, metrics!.acc_top5, metrics!.acc_mean_pos]),
      tf.stack([r.loss, r.top1, r.top5, r.meanPos]),
    ];
  });
  assert.deepEqual(await ours.data(), await reference.data());
  tf.dispose([ours, reference, views]);
  model.dispose();
});

Deno.test("`validateContrastive()` averages over images, skips single images, frees every batch", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const sizes = [3, 1, 2]; // images per batch; the single image has no negative
  const make = () =>
    sizes.map((n, i) => tf.randomNormal([2 * n, 8, 8, 3], 0, 1, "float32", 7 + i) as tf.Tensor4D);
  const expected = { loss: 0, acc_top1: 0, acc_top5: 0, acc_mean_pos: 0 };
  for (const [i, views] of make().entries()) {
    if (sizes[i] > 1) {
      const { loss, metrics } = contrastiveLoss(model, views, { training: false });
      expected.loss += (await loss.data())[0] * sizes[i] / 5;
      for (const key of ["acc_top1", "acc_top5", "acc_mean_pos"] as const) {
        expected[key] += (await metrics![key].data())[0] * sizes[i] / 5;
      }
      tf.dispose([loss, ...Object.values(metrics!)]);
    }
    views.dispose();
  }
  const before = tf.memory().numTensors;
  const got = await validateContrastive(model, make());
  assert.equal(tf.memory().numTensors, before);
  for (const key of Object.keys(expected) as (keyof typeof expected)[]) {
    assert.ok(Math.abs(got[key] - expected[key]) < 1e-6, `${key}: ${got[key]} vs ${expected[key]}`);
  }
  await assert.rejects(() => validateContrastive(model, []), {
    name: "RangeError",
    message:
      "validateContrastive(): batches had no batch of 2 or more images: expected at least one",
  });
  model.dispose();
});

// A whole SimCLR training step on the native CPU backend (oneDNN kernels) against the same step
// on wasm: the loss, every gradient and the BatchNorm running statistics agree within float32
// rounding; no tensor leaks; and the same seed gives the same bytes twice.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { type BackendName, selectBackend } from "@simclr/backends";
import { simclrNet } from "@simclr/models";
import { computeGradients, contrastiveLoss } from "@simclr/train";
import { BatchNorm2d, relu } from "../models/_layers.ts";
import { Registry } from "../models/_state.ts";
import { createRng } from "@simclr/internal/random";

const native = await selectBackend("native", { log: null }).then(() => true, () => false);

interface Step {
  loss: number;
  grads: Map<string, Float32Array>;
  stats: Map<string, Float32Array>;
}

/** One step of a width-8 ResNet-18 (ImageNet stem: 7x7 conv, max pool) on 2 x 6 views. */
async function step(backend: BackendName, size: number): Promise<Step> {
  await selectBackend(backend, { log: null });
  const start = tf.memory().numTensors;
  const model = simclrNet({ width: 8, hiddenDim: 16, stem: "imagenet", seed: 7 });
  const views = tf.randomUniform([12, size, size, 3], -1, 1, "float32", 11) as tf.Tensor4D;
  const { loss, grads, metrics } = computeGradients(
    model,
    () => contrastiveLoss(model, views, { temperature: 0.07 }),
  );
  const out: Step = { loss: (await loss.data())[0], grads: new Map(), stats: new Map() };
  for (const [k, g] of grads) out.grads.set(k, (await g.data()) as Float32Array);
  for (const [k, t] of model.stateDict()) {
    if (/running_(mean|var)$/.test(k)) out.stats.set(k, (await t.data()) as Float32Array);
    t.dispose();
  }
  tf.dispose([loss, views, ...grads.values(), ...Object.values(metrics)]);
  model.dispose();
  assert.equal(tf.memory().numTensors, start, `${backend}: tensors leaked`);
  return out;
}

/** Largest |a - b| relative to b's largest |value|, over each entry. */
function worst(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let e = 0;
  for (const [k, expected] of b) {
    const got = a.get(k)!;
    const scale = Math.max(...expected.map(Math.abs), 1e-30);
    for (let i = 0; i < got.length; i++) e = Math.max(e, Math.abs(got[i] - expected[i]) / scale);
  }
  return e;
}

Deno.test({
  name: "a training step on native equals wasm's: loss, gradients, BatchNorm statistics",
  ignore: !native,
  fn: async () => {
    for (const size of [32, 33]) {
      const wasm = await step("wasm", size);
      const ours = await step("native", size);
      const loss = Math.abs(ours.loss - wasm.loss) / Math.abs(wasm.loss);
      const grad = worst(ours.grads, wasm.grads), stats = worst(ours.stats, wasm.stats);
      console.log(`${size} px: loss ${loss}, gradients ${grad}, statistics ${stats}`);
      assert.ok(loss < 5e-6, `${size} px: loss relative error ${loss}`);
      assert.ok(grad < 1e-4, `${size} px: gradient error ${grad} of the largest`);
      assert.ok(stats < 5e-6, `${size} px: running statistics error ${stats}`);
      assert.deepEqual([...ours.grads.keys()], [...wasm.grads.keys()]);
    }
  },
});

Deno.test({
  name: "a training step on native gives the same bytes twice",
  ignore: !native,
  fn: async () => {
    const a = await step("native", 32), b = await step("native", 32);
    assert.equal(a.loss, b.loss);
    for (const [k, g] of a.grads) assert.deepEqual(b.grads.get(k), g, k);
    for (const [k, s] of a.stats) assert.deepEqual(b.stats.get(k), s, k);
  },
});

Deno.test({
  name: "`relu()` of the model's layers gives tf.relu's values and gradient on native and wasm",
  ignore: !native,
  fn: async () => {
    const x = tf.randomNormal([2, 9, 7, 5], 0, 1, "float32", 21);
    const dy = tf.randomNormal([2, 9, 7, 5], 0, 1, "float32", 22);
    const f = (g: (v: tf.Tensor) => tf.Tensor) =>
      tf.tidy(() => [g(x), tf.grad((v: tf.Tensor) => tf.sum(tf.mul(g(v), dy)))(x)]);
    for (const backend of ["wasm", "native"] as const) {
      await selectBackend(backend, { log: null });
      const before = tf.memory().numTensors;
      const [ours, theirs] = [f(relu), f(tf.relu)];
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(await ours[i].data(), await theirs[i].data(), `${backend}: output ${i}`);
      }
      tf.dispose([...ours, ...theirs]);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    }
    tf.dispose([x, dy]);
  },
});

Deno.test({
  name: "`BatchNorm2d.applyRelu()` gives relu(apply()) and its gradients on native and wasm",
  ignore: !native,
  fn: async () => {
    const x = tf.randomNormal([3, 5, 7, 4], 0.5, 2, "float32", 23);
    const dy = tf.randomNormal([3, 5, 7, 4], 0, 1, "float32", 24);
    for (const backend of ["wasm", "native"] as const) {
      await selectBackend(backend, { log: null });
      const before = tf.memory().numTensors;
      const results = [];
      for (const fused of [true, false]) {
        const reg = new Registry(createRng(1));
        const bn = new BatchNorm2d(reg, "bn", 4);
        tf.tidy(() => {
          bn.weight.assign(tf.tensor1d([1.5, -0.5, 0.8, 2]));
          bn.bias.assign(tf.tensor1d([0.1, 0.3, -0.4, 0]));
        });
        const apply = (v: tf.Tensor, training: boolean) =>
          fused
            ? bn.applyRelu(v as tf.Tensor4D, training)
            : relu(bn.apply(v as tf.Tensor4D, training));
        const f = (v: tf.Tensor) => tf.sum(tf.mul(dy, apply(v, true)));
        const out = tf.tidy(() => [
          apply(x, true),
          apply(x, false),
          ...tf.grads(f)([x, bn.weight, bn.bias]),
        ]);
        results.push({
          out: await Promise.all(out.map((t) => t.data())),
          stats: await bn.runningVar.data(),
        });
        tf.dispose(out);
        for (const e of reg.entries) e.variable.dispose();
      }
      const [fused, unfused] = results;
      // wasm has no fused kernel: applyRelu() runs the same kernels as relu(apply())
      if (backend === "wasm") assert.deepEqual(fused, unfused, "wasm: not the same bytes");
      for (let i = 0; i < fused.out.length; i++) {
        const scale = Math.max(...unfused.out[i].map(Math.abs));
        const e = Math.max(...fused.out[i].map((v, j) => Math.abs(v - unfused.out[i][j]))) / scale;
        assert.ok(e < 1e-6, `${backend}: output ${i} differs by ${e} of the largest`);
      }
      assert.deepEqual(fused.stats, unfused.stats, `${backend}: running variance`);
      assert.equal(tf.memory().numTensors, before, `${backend}: tensors leaked`);
    }
    tf.dispose([x, dy]);
  },
});

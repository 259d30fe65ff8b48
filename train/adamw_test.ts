import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { nativeAvailable, selectBackend } from "@simclr/backends";
import { AdamW } from "./adamw.ts";

await tf.setBackend("cpu");
const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/optim.json", import.meta.url)),
).adamw;

function maxError(actual: ArrayLike<number>, expected: number[]): number {
  return expected.reduce((m, e, i) => Math.max(m, Math.abs(e - actual[i])), 0);
}

function fixtureParams(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    ["w", tf.variable(tf.tensor2d(fixture.init.w, [3, 4]))],
    ["b", tf.variable(tf.tensor1d(fixture.init.b))],
  ]);
}

Deno.test("`AdamW` matches torch.optim.AdamW step by step, with a no-decay parameter", () => {
  const params = fixtureParams();
  const optimizer = new AdamW(params, {
    lr: 0,
    betas: fixture.betas,
    eps: fixture.eps,
    weightDecay: fixture.weightDecay,
    noDecay: ["b"],
  });
  for (const [i, step] of fixture.steps.entries()) {
    optimizer.lr = step.lr;
    const grads = new Map<string, tf.Tensor>([["w", tf.tensor2d(step.gw, [3, 4])], [
      "b",
      tf.tensor1d(step.gb),
    ]]);
    optimizer.step(grads);
    tf.dispose([...grads.values()]);
    assert.ok(maxError(params.get("w")!.dataSync(), step.w) < 1e-6, `w after step ${i + 1}`);
    assert.ok(maxError(params.get("b")!.dataSync(), step.b) < 1e-6, `b after step ${i + 1}`);
  }
  assert.equal(optimizer.stepCount, 5);
  optimizer.dispose();
  params.forEach((p) => p.dispose());
});

Deno.test("`AdamW` restored from its state continues exactly as the original", () => {
  const run = (split: boolean) => {
    const params = fixtureParams();
    let optimizer = new AdamW(params, { lr: 0.01, weightDecay: 0.1, noDecay: ["b"] });
    for (const [i, step] of fixture.steps.entries()) {
      if (split && i === 2) {
        const state = optimizer.state();
        optimizer.dispose();
        optimizer = new AdamW(params, { lr: 0.01, weightDecay: 0.1, noDecay: ["b"] });
        optimizer.loadState(state);
        tf.dispose([...state.expAvg.values(), ...state.expAvgSq.values()]);
      }
      const grads = new Map<string, tf.Tensor>([["w", tf.tensor2d(step.gw, [3, 4])], [
        "b",
        tf.tensor1d(step.gb),
      ]]);
      optimizer.step(grads);
      tf.dispose([...grads.values()]);
    }
    optimizer.dispose();
    const values = [...params.values()].map((p) => Array.from(p.dataSync()));
    params.forEach((p) => p.dispose());
    return values;
  };
  assert.deepEqual(run(true), run(false));
});

Deno.test("`AdamW` leaks no tensors across steps and rejects bad input", () => {
  const params = fixtureParams();
  const optimizer = new AdamW(params, { lr: 0.01 });
  const grads = new Map<string, tf.Tensor>([["w", tf.ones([3, 4])], ["b", tf.ones([4])]]);
  optimizer.step(grads); // creates the moments
  const before = tf.memory().numTensors;
  for (let i = 0; i < 3; i++) optimizer.step(grads);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => optimizer.step(new Map([["v", grads.get("b")!]])), {
    name: "RangeError",
    message: 'AdamW.step(): grads has "v": expected names of parameters only',
  });
  assert.throws(() => optimizer.step(new Map([["b", grads.get("w")!]])), {
    name: "RangeError",
    message: 'AdamW.step(): grads["b"] has shape [3, 4]: expected [4], the parameter\'s',
  });
  assert.throws(() => new AdamW(params, { lr: -1 }), {
    name: "RangeError",
    message: "AdamW(): options.lr is -1: expected a number >= 0",
  });
  assert.throws(() => new AdamW(params, { betas: [0.9, 1] }), {
    name: "RangeError",
    message: "AdamW(): options.betas[1] is 1: expected a number in [0, 1)",
  });
  assert.throws(() => new AdamW(params, { noDecay: ["nope"] }), {
    name: "RangeError",
    message: 'AdamW(): options.noDecay[0] is "nope": expected the name of a parameter',
  });
  tf.dispose([...grads.values()]);
  optimizer.dispose();
  params.forEach((p) => p.dispose());
});

/** AdamW written plainly, as in the tutorial's PyTorch (one step count for all parameters, as ours). */
function plainAdamW(
  params: Map<string, tf.Variable>,
  options: { lr: number; weightDecay: number; noDecay: Set<string> },
) {
  const [beta1, beta2, eps] = [0.9, 0.999, 1e-8];
  const moments = new Map<string, [tf.Tensor, tf.Tensor]>();
  let t = 0;
  return {
    step(grads: Map<string, tf.Tensor>) {
      t += 1;
      for (const [name, grad] of grads) {
        const param = params.get(name)!;
        const [m0, v0] = moments.get(name) ?? [tf.zerosLike(param), tf.zerosLike(param)];
        const [m, v, p] = tf.tidy(() => {
          const decay = options.noDecay.has(name) ? 0 : this.lr * options.weightDecay;
          const decayed = decay === 0 ? param : tf.mul(param, 1 - decay);
          const m = tf.add(tf.mul(m0, beta1), tf.mul(grad, 1 - beta1));
          const v = tf.add(tf.mul(v0, beta2), tf.mul(tf.square(grad), 1 - beta2));
          const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps);
          const update = tf.mul(tf.div(m, denominator), this.lr / (1 - beta1 ** t));
          return [m, v, tf.sub(decayed, update)];
        });
        tf.dispose([m0, v0]);
        moments.set(name, [m, v]);
        param.assign(p);
        p.dispose();
      }
    },
    lr: options.lr,
    dispose: () => moments.forEach((m) => tf.dispose(m)),
  };
}

Deno.test("`AdamW` gives the bytes of a plain per-parameter AdamW, a parameter skipped for a step", async () => {
  // On native each parameter's update is one kernel (`SimCLRAdamW`), the plain one the ops.
  for (const backend of ["cpu", "wasm", ...(nativeAvailable() ? ["native"] : [])]) {
    if (backend === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    if (backend === "native") await selectBackend("native", { log: null });
    else await tf.setBackend(backend);
    const make = () =>
      new Map([
        ["conv", tf.variable(tf.randomNormal([3, 3, 2, 4], 0, 1, "float32", 1))],
        ["bias", tf.variable(tf.randomNormal([4], 0, 1, "float32", 2))],
        ["fc", tf.variable(tf.randomNormal([4, 5], 0, 1, "float32", 3))],
        // above native's element-wise threshold: the plain ops there run on oneDNN
        ["wide", tf.variable(tf.randomNormal([64, 80], 0, 1, "float32", 4))],
        // above the fused kernel's size: the ops there too
        ["large", tf.variable(tf.randomNormal([128, 160], 0, 1, "float32", 5))],
      ]);
    if (backend === "native") assert.ok(tf.getKernel("SimCLRAdamW", "native"), "the fused kernel");
    const [ours, theirs] = [make(), make()];
    const options = { lr: 3e-2, weightDecay: 0.1, noDecay: ["bias"] };
    const optimizer = new AdamW(ours, options);
    const plain = plainAdamW(theirs, { ...options, noDecay: new Set(options.noDecay) });
    for (let step = 0; step < 6; step++) {
      optimizer.lr = plain.lr = 3e-2 / (step + 1); // as a scheduler sets it
      const grads = new Map(
        [...ours].filter(([name]) => !(name === "fc" && step === 2)) // fc has no gradient once
          .map(([name, p], i) => [name, tf.randomNormal(p.shape, 0, 1, "float32", 10 * step + i)]),
      );
      optimizer.step(grads);
      plain.step(grads);
      tf.dispose([...grads.values()]);
      for (const [name, p] of ours) {
        assert.deepEqual(await p.data(), await theirs.get(name)!.data(), `${backend}: ${name}`);
      }
    }
    const state = optimizer.state();
    assert.deepEqual([...state.expAvg.keys()].sort(), ["bias", "conv", "fc", "large", "wide"]);
    assert.deepEqual(state.expAvg.get("fc")!.shape, [4, 5]);
    tf.dispose([...state.expAvg.values(), ...state.expAvgSq.values()]);
    optimizer.dispose();
    plain.dispose();
    [...ours.values(), ...theirs.values()].forEach((p) => p.dispose());
  }
  await tf.setBackend("cpu");
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
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

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { byolNet } from "./byol_net.ts";
import { loadEncoder } from "./load_encoder.ts";
import { saveSafetensors } from "./save_safetensors.ts";

await tf.setBackend("cpu");

const small = { width: 2, hiddenDim: 4, projectorDim: 6, stem: "cifar" } as const;

async function values(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

Deno.test("`byolNet()` holds the online network and predictor as parameters, the target as buffers", () => {
  const net = byolNet(small);
  const keys = [...net.stateShapes().keys()];
  const params = [...net.parameters().keys()];
  const buffers = [...net.buffers().keys()];
  assert.deepEqual(params.filter((k) => k.startsWith("target")), []);
  assert.ok(params.includes("conv1.weight") && params.includes("fc.0.weight"));
  assert.ok(params.includes("predictor.0.weight") && params.includes("predictor.1.weight"));
  // The projector and predictor: Linear, BatchNorm1d, ReLU, Linear.
  assert.deepEqual(net.stateShapes().get("fc.0.weight"), [6, 16]);
  assert.deepEqual(net.stateShapes().get("fc.3.weight"), [4, 6]);
  assert.deepEqual(net.stateShapes().get("predictor.0.weight"), [6, 4]);
  assert.deepEqual(net.stateShapes().get("predictor.3.weight"), [4, 6]);
  // Every target variable (its parameters too) and the update count are buffers.
  const target = keys.filter((k) => k.startsWith("target."));
  const online = keys.filter((k) => !k.startsWith("predictor.") && !k.startsWith("target"));
  assert.deepEqual(target, online.map((k) => `target.${k}`));
  assert.deepEqual(buffers.filter((k) => k.startsWith("target.")).sort(), target.sort());
  assert.ok(buffers.includes("target_updates"));
  assert.equal(keys.length, params.length + buffers.length);
  assert.ok([...net.noDecayNames()].every((n) => params.includes(n)));
  assert.ok(net.noDecayNames().has("predictor.1.weight")); // a BatchNorm weight
  assert.equal(net.encoder, net.online.encoder);
  net.dispose();
});

Deno.test("`byolNet()` starts its target as a copy of the online network", async () => {
  const net = byolNet(small);
  for (const [name, v] of net.online.parameters()) {
    assert.deepEqual(await values(net.target.parameters().get(name)!), await values(v), name);
  }
  const x = tf.randomNormal([3, 8, 8, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const online = net.online.apply(x, { training: false });
  const target = net.targetProjections(x, { training: false });
  assert.deepEqual(await values(target), await values(online));
  tf.dispose([x, online, target]);
  net.dispose();
});

Deno.test("`BYOLNet.updateTarget()` moves the target towards the online network on the paper's cosine schedule", async () => {
  const net = byolNet(small);
  const name = "layer1.0.conv1.weight";
  const online = net.online.parameters().get(name)!;
  const target = net.target.parameters().get(name)!;
  let expected = await values(target);
  const base = 0.9;
  const totalSteps = 4;
  for (let k = 0; k < 6; k++) {
    // The online network moves (as an optimiser step would), then the target follows.
    online.assign(tf.tidy(() => tf.add(online, tf.scalar(0.5 * (k + 1)))));
    const o = await values(online);
    const tau = 1 - (1 - base) * (Math.cos(Math.PI * Math.min(k, totalSteps) / totalSteps) + 1) / 2;
    expected = expected.map((t, i) => tau * t + (1 - tau) * o[i]);
    net.updateTarget({ baseMomentum: base, totalSteps });
    const got = await values(target);
    got.forEach((v, i) =>
      assert.ok(Math.abs(v - expected[i]) < 1e-5, `k=${k}: ${v} vs ${expected[i]}`)
    );
    assert.equal((await values(net.buffers().get("target_updates")!))[0], k + 1);
  }
  // tau = 1 from step K on: the last two updates left the target where it was.
  net.dispose();
});

Deno.test("`byolNet()` gradients reach the online network and the predictor, never the target", () => {
  const net = byolNet(small);
  const x = tf.randomNormal([4, 8, 8, 3], 0, 1, "float32", 3) as tf.Tensor4D;
  const params = net.parameters();
  const { value, grads } = tf.variableGrads(() => {
    const p = net.apply(x, { training: true });
    const z = net.targetProjections(x, { training: true });
    return tf.sum(tf.mul(p, z)) as tf.Scalar;
  }, [...params.values()]);
  assert.equal(Object.keys(grads).length, params.size);
  for (const [name, v] of params) {
    assert.ok(grads[v.name].dataSync().every(Number.isFinite), name);
  }
  assert.ok(grads[params.get("predictor.3.weight")!.name].dataSync().some((g) => g !== 0));
  assert.ok(grads[params.get("conv1.weight")!.name].dataSync().some((g) => g !== 0));
  tf.dispose([x, value, ...Object.values(grads)]);
  net.dispose();
});

Deno.test("`byolNet()` state dicts round-trip, target and update count included", async () => {
  const net = byolNet(small);
  net.online.parameters().get("fc.0.weight")!.assign(tf.tidy(() => tf.ones([16, 6])));
  net.updateTarget({ totalSteps: 10 });
  net.updateTarget({ totalSteps: 10 });
  const state = net.stateDict();
  const other = byolNet({ ...small, seed: 7 });
  other.loadStateDict(state);
  const again = other.stateDict();
  for (const [key, t] of state) {
    assert.deepEqual(await values(again.get(key)!), await values(t), key);
  }
  assert.equal((await values(again.get("target_updates")!))[0], 2);
  // The next update of both is the same: the schedule continues where it was.
  net.updateTarget({ totalSteps: 10 });
  other.updateTarget({ totalSteps: 10 });
  const name = "fc.0.weight";
  assert.deepEqual(
    await values(other.target.parameters().get(name)!),
    await values(net.target.parameters().get(name)!),
  );
  tf.dispose([...state.values(), ...again.values()]);
  net.dispose();
  other.dispose();
});

Deno.test("`loadEncoder()` reads a BYOL checkpoint's online encoder, not its target", async () => {
  const net = byolNet(small);
  // Make the target differ from the online network.
  for (const v of net.target.encoder.parameters().values()) v.assign(tf.tidy(() => tf.mul(v, 2)));
  const state = net.stateDict();
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  await saveSafetensors(path, state, { config: JSON.stringify({ hiddenDim: 4, imageSize: 8 }) });
  const { encoder, prefix, config } = await loadEncoder(path);
  assert.equal(prefix, "");
  assert.deepEqual(config, {
    block: "basic",
    layers: [2, 2, 2, 2],
    width: 2,
    stem: "cifar",
    hiddenDim: 4,
    imageSize: 8,
  });
  const x = tf.randomNormal([2, 8, 8, 3], 0, 1, "float32", 4) as tf.Tensor4D;
  const [a, b] = [net.encoder.apply(x, { training: false }), encoder.apply(x, { training: false })];
  assert.deepEqual(await values(b), await values(a));
  tf.dispose([x, a, b, ...state.values()]);
  encoder.dispose();
  net.dispose();
  await Deno.remove(path);
});

Deno.test("`byolNet()` leaks no tensors; `updateTarget()` rejects bad options", () => {
  const net = byolNet(small);
  const x = tf.randomNormal([2, 8, 8, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  for (let i = 0; i < 2; i++) {
    tf.dispose([net.apply(x, { training: true }), net.targetProjections(x, { training: true })]);
    net.updateTarget({ totalSteps: 3 });
  }
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => net.updateTarget({ totalSteps: 0 }), {
    name: "RangeError",
    message: "BYOLNet.updateTarget(): options.totalSteps is 0: expected a positive integer",
  });
  assert.throws(() => net.updateTarget({ totalSteps: 3, baseMomentum: 1.5 }), {
    name: "RangeError",
    message: "BYOLNet.updateTarget(): options.baseMomentum is 1.5: expected a number in [0, 1]",
  });
  assert.throws(() => byolNet({ projectorDim: 0 }), {
    name: "RangeError",
    message: "byolNet(): projectorDim is 0: expected a positive integer",
  });
  x.dispose();
  net.dispose();
});

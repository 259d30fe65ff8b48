import "@tensorflow/tfjs"; // the gradients of every op
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { AdamW, ReplicaTrainer } from "@simclr/train";
import { methodConfig } from "./method_config.ts";
import { methodByName, METHODS } from "./registry.ts";

const pixels = new Uint8Array(4 * 8 * 8 * 3).map((_, i) => (i * 37 + (i >> 5)) % 256);
const labels = new Int32Array([0, 1, 0, 1]);

for (const method of Object.values(METHODS)) {
  Deno.test(`\`${method.name}\`: a step trains every parameter, leaks no tensor, and reports its metrics`, async () => {
    const config = methodConfig(method, {
      backend: "cpu",
      width: 2,
      hiddenDim: method.hiddenDimPerWidth === undefined ? 8 : undefined,
      imageSize: 8,
      sourceSize: 8,
      totalSteps: 10,
      hyperparameters: "projectorDim" in method.hyperparameters ? { projectorDim: 16 } : {},
    });
    const replica = await method.createReplica(config);
    assert.equal(replica.outputDim, method.outputDim(config));
    const payload = { pixels, seed: 3, labels: method.labels ? labels : null };
    const views = replica.inputs({ start: 0, count: 4, batchSize: 4, payload });
    const outputs = tf.tidy(() => replica.forward(views));
    assert.deepEqual(outputs.shape, [2 * 4, replica.outputDim]);
    tf.dispose([views, outputs]);
    const optimizer = new AdamW(replica.model.parameters());
    const trainer = await ReplicaTrainer.start({ replica, optimizer });
    const before = new Map(
      [...replica.model.stateDict()].map(([k, t]) => [k, t.dataSync().slice()]),
    );
    await trainer.step(4, () => payload); // the first step allocates the optimiser's moments
    const start = tf.memory().numTensors;
    const { loss, metrics } = await trainer.step(4, () => payload);
    assert.equal(tf.memory().numTensors, start, "no tensor leaks");
    assert.ok(Number.isFinite(loss));
    assert.deepEqual(["loss", ...Object.keys(metrics)], method.metrics);
    const after = replica.model.stateDict();
    // The trained weights moved; so did BYOL's target (afterStep), which has no gradient.
    for (
      const key of [
        "conv1.weight",
        ...method.extraState.map((k) => k.endsWith(".") ? `${k}conv1.weight` : k),
      ]
    ) {
      assert.ok(after.has(key), `${method.name} checkpoints ${key}`);
      assert.notDeepEqual(after.get(key)!.dataSync(), before.get(key), `${key} moved`);
    }
    async function* batches() {
      yield { count: 4, payload };
    }
    const validation = await method.validate(replica, batches(), config);
    assert.deepEqual(Object.keys(validation), method.metrics);
    assert.ok(method.monitor.metric.startsWith("val_"));
    assert.ok(method.metrics.includes(method.monitor.metric.slice(4)), "monitored: a val metric");
    tf.dispose([...after.values()]);
    trainer.close();
    optimizer.dispose();
    replica.model.dispose();
  });
}

Deno.test("`methodByName()` finds every registered method by its own name", () => {
  for (const [name, method] of Object.entries(METHODS)) assert.equal(methodByName(name), method);
  assert.throws(() => methodByName("moco"), {
    name: "RangeError",
    message: 'methodByName(): name is "moco": expected one of simclr, supcon, barlow, byol',
  });
});

Deno.test("`methodConfig()` takes the papers' hyperparameters, scaled to the width", () => {
  const at = (name: string, width: number) => methodConfig(methodByName(name), { width });
  assert.deepEqual(at("barlow", 64).hyperparameters, { lambda: 0.0051, projectorDim: 8192 });
  assert.deepEqual(at("byol", 8).hyperparameters, { tauBase: 0.996, projectorDim: 512 });
  assert.equal(at("byol", 64).hiddenDim, 256);
  assert.deepEqual(
    methodConfig(methodByName("supcon"), { temperature: 0.1 }).hyperparameters,
    { baseTemperature: 0.1 },
  );
  assert.deepEqual(at("simclr", 64).hyperparameters, {});
  assert.equal(at("simclr", 64).hiddenDim, 128);
});

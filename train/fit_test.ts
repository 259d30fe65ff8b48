import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { type SimCLRNet, simclrNet } from "@simclr/models";
import { AdamW } from "./adamw.ts";
import { contrastiveLoss } from "./contrastive_loss.ts";
import { cosineAnnealingLR } from "./cosine_annealing_lr.ts";
import { fit, type FitOptions, type FitStepResult } from "./fit.ts";
import { NonFiniteLossError } from "./non_finite_loss_error.ts";
import { trainStep } from "./train_step.ts";

await selectBackend("cpu", { log: null });

// Two epochs of two steps each, on 4 fixed random "views" batches of 2 x 4 images at 8 px.
const STEPS = 2;
function viewsFor(epoch: number, step: number): tf.Tensor4D {
  return tf.randomNormal([8, 8, 8, 3], 0, 1, "float32", 1 + 100 * epoch + step) as tf.Tensor4D; // tfjs treats seed 0 as "no seed"
}

/** One SimCLR step on the fixed views of (epoch, step), made outside the gradient tape. */
async function contrastiveStep(
  model: SimCLRNet,
  optimizer: AdamW,
  epoch: number,
  step: number,
): Promise<FitStepResult> {
  const views = viewsFor(epoch, step);
  try {
    return { ...await trainStep(model, optimizer, () => contrastiveLoss(model, views)), images: 8 };
  } finally {
    views.dispose();
  }
}

interface Run {
  weights: Float32Array[];
  losses: number[];
  outDir: string;
}

async function run(
  seed: number,
  epochs: number,
  extra: Partial<FitOptions<number>> = {},
  outDir?: string,
): Promise<Run> {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed });
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-4 });
  outDir ??= await Deno.makeTempDir();
  const losses: number[] = [];
  try {
    await fit({
      model,
      optimizer,
      schedule: cosineAnnealingLR({ baseLr: 1e-2, tMax: 3, etaMin: 1e-4 }),
      epochs,
      stepsPerEpoch: STEPS,
      batches: async function* (epoch) {
        for (let step = 0; step < STEPS; step++) yield epoch * STEPS + step;
      },
      step: (index, { epoch, step }) => {
        assert.equal(index, epoch * STEPS + step);
        return contrastiveStep(model, optimizer, epoch, step);
      },
      outDir,
      seed,
      logEvery: 1,
      log: null,
      ...extra,
    });
    for (const line of (await Deno.readTextFile(`${outDir}/metrics.jsonl`)).trim().split("\n")) {
      const entry = JSON.parse(line);
      if (entry.kind === "step") losses.push(entry.train_loss);
    }
    const weights = [...model.parameters().values()].map((v) => v.dataSync() as Float32Array);
    return { weights, losses, outDir };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

Deno.test("`fit()` is reproducible: same seed, same losses and weights; another seed differs", async () => {
  const [a, b, c] = [await run(1, 2), await run(1, 2), await run(2, 2)];
  assert.equal(a.losses.length, 4);
  assert.deepEqual(a.losses, b.losses, `${a.losses} vs ${b.losses}`);
  assert.deepEqual(a.weights, b.weights);
  assert.notDeepEqual(a.losses, c.losses);
  assert.notDeepEqual(a.weights[0], c.weights[0]);
  // Training moved the loss.
  assert.notEqual(a.losses[0], a.losses[3]);
  for (const r of [a, b, c]) await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` resumed after an interruption gives the weights of an uninterrupted run", async () => {
  const whole = await run(3, 3);
  const interrupted = await run(3, 1);
  const resumed = await run(3, 3, { resume: true }, interrupted.outDir);
  assert.deepEqual(resumed.weights, whole.weights);
  assert.deepEqual(resumed.losses, whole.losses); // metrics.jsonl continues where it stopped
  const state = JSON.parse(await Deno.readTextFile(`${resumed.outDir}/checkpoints/last.json`));
  assert.equal(state.epoch, 2);
  assert.equal(state.globalStep, 6);
  for (const r of [whole, resumed]) await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` keeps the best checkpoint by the monitored metric and writes epoch records", async () => {
  const scores = [0.2, 0.5, 0.4];
  const r = await run(4, 3, {
    validate: (epoch) => Promise.resolve({ score: scores[epoch] }),
    monitor: { metric: "val_score", mode: "max" },
  });
  const best = JSON.parse(await Deno.readTextFile(`${r.outDir}/checkpoints/best.json`));
  assert.equal(best.epoch, 1);
  assert.equal(best.best, 0.5);
  const epochs = (await Deno.readTextFile(`${r.outDir}/metrics.jsonl`)).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((e) => e.kind === "epoch");
  assert.deepEqual(epochs.map((e) => e.val_score), scores);
  assert.ok(epochs.every((e) => e.train_loss > 0 && e.lr > 0 && "train_acc_top5" in e));
  await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` records the monitors unprefixed at each validation, in the epoch line too", async () => {
  const lines: string[] = [];
  const monitored: number[] = [];
  const r = await run(7, 3, {
    validate: () => Promise.resolve({ acc_top5: 0.5 }),
    monitors: (epoch) => {
      monitored.push(epoch);
      return Promise.resolve({ knn_top1: 0.1 * (epoch + 1), embedding_std: 0.125 });
    },
    validateEvery: 2,
    monitor: { metric: "knn_top1", mode: "max" },
    log: (line) => lines.push(line),
  });
  // Every 2 epochs and after the last: epochs 1 and 2 (0-based).
  assert.deepEqual(monitored, [1, 2]);
  const epochs = (await Deno.readTextFile(`${r.outDir}/metrics.jsonl`)).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((e) => e.kind === "epoch");
  assert.deepEqual(epochs.map((e) => e.knn_top1), [undefined, 0.2, 0.30000000000000004]);
  assert.deepEqual(epochs.map((e) => e.embedding_std), [undefined, 0.125, 0.125]);
  assert.ok(epochs.every((e) => !("val_knn_top1" in e)));
  assert.equal(epochs[1].val_acc_top5, 0.5);
  assert.match(
    lines[2],
    /^epoch 3\/3: .*val_acc_top5 0\.5000, knn_top1 0\.3000, embedding_std 0\.1250/,
  );
  assert.match(lines[2], /\(best knn_top1 so far\)$/);
  const best = JSON.parse(await Deno.readTextFile(`${r.outDir}/checkpoints/best.json`));
  assert.equal(best.epoch, 2);
  await Deno.remove(r.outDir, { recursive: true });
  // A monitor may not overwrite what the record already holds.
  const outDir = await Deno.makeTempDir();
  await assert.rejects(
    () => run(7, 1, { monitors: () => Promise.resolve({ lr: 1 }) }, outDir),
    {
      name: "RangeError",
      message:
        'fit(): options.monitors returned "lr": expected a name the epoch record does not already have',
    },
  );
  await Deno.remove(outDir, { recursive: true });
});

Deno.test("`fit()` stops on a non-finite loss and keeps the last good checkpoint", async () => {
  const outDir = await Deno.makeTempDir();
  await run(5, 1, {}, outDir);
  const before = await Deno.readFile(`${outDir}/checkpoints/last.safetensors`);
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed: 5 });
  const optimizer = new AdamW(model.parameters());
  await assert.rejects(
    () =>
      fit({
        model,
        optimizer,
        epochs: 3,
        stepsPerEpoch: 1,
        batches: async function* () {
          yield 0;
        },
        step: async () => ({
          ...await trainStep(model, optimizer, () => ({
            loss: tf.scalar(NaN).add(model.parameters().get("fc.2.bias")!.sum()) as tf.Scalar,
          })),
          images: 1,
        }),
        outDir,
        resume: true,
        log: null,
      }),
    (error: unknown) =>
      error instanceof NonFiniteLossError && /loss is NaN at epoch 2, step 1;/.test(error.message),
  );
  assert.deepEqual(await Deno.readFile(`${outDir}/checkpoints/last.safetensors`), before);
  optimizer.dispose();
  model.dispose();
  await Deno.remove(outDir, { recursive: true });
});

Deno.test("`fit()` leaks no tensors: the count is flat across training steps", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed: 6 });
  const optimizer = new AdamW(model.parameters());
  const outDir = await Deno.makeTempDir();
  const counts: number[] = [];
  await fit({
    model,
    optimizer,
    epochs: 2,
    stepsPerEpoch: 3,
    batches: async function* () {
      for (let step = 0; step < 3; step++) {
        counts.push(tf.memory().numTensors);
        yield step;
      }
    },
    step: (_, { epoch, step }) => contrastiveStep(model, optimizer, epoch, step),
    validate: () => Promise.resolve({ val: 1 }),
    outDir,
    log: null,
  });
  // After the first step creates the optimiser's moments, the count never changes.
  assert.equal(new Set(counts.slice(1)).size, 1, `tensor counts per step: ${counts}`);
  optimizer.dispose();
  model.dispose();
  await Deno.remove(outDir, { recursive: true });
});

Deno.test("`fit()` rejects bad settings by name", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const optimizer = new AdamW(model.parameters());
  const base = {
    model,
    optimizer,
    epochs: 1,
    stepsPerEpoch: 1,
    batches: async function* () {},
    step: () => Promise.resolve({ loss: 0, metrics: {}, images: 1 }),
    outDir: "/nonexistent-never-created",
    log: null,
  };
  await assert.rejects(() => fit({ ...base, epochs: 0 }), {
    name: "RangeError",
    message: "fit(): options.epochs is 0: expected a positive integer",
  });
  await assert.rejects(() => fit({ ...base, validateEvery: 1.5 }), {
    message: "fit(): options.validateEvery is 1.5: expected a positive integer",
  });
  optimizer.dispose();
  model.dispose();
});

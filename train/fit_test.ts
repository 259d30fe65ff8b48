import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { type SimCLRNet, simclrNet } from "@simclr/models";
import { AdamW } from "./adamw.ts";
import { contrastiveLoss } from "./contrastive_loss.ts";
import { cosineAnnealingLR } from "./cosine_annealing_lr.ts";
import { fit, type FitOptions, type FitStepResult } from "./fit.ts";
import { NonFiniteLossError } from "./non_finite_loss_error.ts";
import { TrainingInterruptedError } from "./training_interrupted_error.ts";
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

/** The model and optimiser of the {@linkcode run} under way, for steps the test replaces. */
const modelOf: { current: SimCLRNet | null } = { current: null };
const optimizerOf: { current: AdamW | null } = { current: null };

async function run(
  seed: number,
  epochs: number,
  extra: Partial<FitOptions<number>> = {},
  outDir?: string,
): Promise<Run> {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed });
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-4 });
  modelOf.current = model;
  optimizerOf.current = optimizer;
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

/** metrics.jsonl's records without the timing fields (which differ between runs). */
async function records(outDir: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${outDir}/metrics.jsonl`);
  return text.trim().split("\n").map((line) => {
    const { seconds: _s, images_per_second: _i, peak_rss_mib: _p, ...rest } = JSON.parse(line);
    return rest;
  });
}

/** A run of 3 epochs that dies at (epoch, step), as a killed process, after its last checkpoint. */
async function interrupted(seed: number, epoch: number, step: number): Promise<string> {
  const outDir = await Deno.makeTempDir();
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed });
  const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 1e-4 });
  await assert.rejects(
    () =>
      fit({
        model,
        optimizer,
        schedule: cosineAnnealingLR({ baseLr: 1e-2, tMax: 3, etaMin: 1e-4 }),
        epochs: 3,
        stepsPerEpoch: STEPS,
        batches: async function* (e) {
          for (let k = 0; k < STEPS; k++) yield e * STEPS + k;
        },
        step: (_, context) => {
          if (context.epoch === epoch && context.step === step) throw new Error("killed");
          return contrastiveStep(model, optimizer, context.epoch, context.step);
        },
        outDir,
        seed,
        logEvery: 1,
        log: null,
      }),
    { message: "killed" },
  );
  optimizer.dispose();
  model.dispose();
  return outDir;
}

Deno.test("`fit()` resumed after an interruption gives the weights and records of an uninterrupted run", async () => {
  const whole = await run(3, 3);
  // Dies in epoch 2 (index 1) after logging its first step: globalStep 3 is past the checkpoint.
  const outDir = await interrupted(3, 1, 1);
  const before = await records(outDir);
  assert.deepEqual(before.map((r) => r.globalStep ?? `epoch ${r.epoch}`), [1, 2, "epoch 0", 3]);
  const resumed = await run(3, 3, { resume: true }, outDir);
  assert.deepEqual(resumed.weights, whole.weights);
  assert.deepEqual(resumed.losses, whole.losses); // each step once: globalStep 3 is not doubled
  assert.deepEqual(await records(outDir), await records(whole.outDir));
  const state = JSON.parse(await Deno.readTextFile(`${resumed.outDir}/checkpoints/last.json`));
  assert.equal(state.epoch, 2);
  assert.equal(state.globalStep, 6);
  assert.equal(state.epochs, 3);
  for (const r of [whole, resumed]) await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` on resume drops a line cut short and restores the checkpoint's epoch record", async () => {
  const whole = await run(6, 2);
  const expected = await records(whole.outDir);
  // Killed after writing epoch 1's checkpoint but before its epoch record, mid-line.
  const lines = (await Deno.readTextFile(`${whole.outDir}/metrics.jsonl`)).trim().split("\n");
  await Deno.writeTextFile(
    `${whole.outDir}/metrics.jsonl`,
    lines.slice(0, -1).join("\n") + "\n" + '{"kind":"epo',
  );
  const resumed = await run(6, 2, { resume: true }, whole.outDir);
  assert.deepEqual(resumed.losses, whole.losses);
  assert.deepEqual(await records(whole.outDir), expected);
  await Deno.remove(whole.outDir, { recursive: true });
});

Deno.test("`fit()` refuses to resume with another length unless told to extend the run", async () => {
  const first = await run(7, 2);
  await assert.rejects(() => run(7, 3, { resume: true }, first.outDir), {
    name: "CheckpointError",
    message: new RegExp(
      `^${first.outDir}/checkpoints/last is a run of 2 epochs, and resuming it for 3 would ` +
        "silently change its learning-rate schedule: resume with 2 epochs \\(--epochs 2\\), or " +
        "change the run's length on purpose with --extend",
    ),
  });
  // Nothing was trained or recorded by the refused call.
  assert.equal((await records(first.outDir)).filter((r) => r.kind === "epoch").length, 2);
  const extended = await run(7, 3, { resume: true, extend: true }, first.outDir);
  assert.equal(extended.losses.length, 6);
  const state = JSON.parse(await Deno.readTextFile(`${first.outDir}/checkpoints/last.json`));
  assert.deepEqual([state.epoch, state.epochs], [2, 3]);
  await assert.rejects(() => run(7, 3, { extend: true }, first.outDir), {
    name: "TypeError",
    message: "fit(): options.extend is true: expected options.resume true as well",
  });
  await Deno.remove(first.outDir, { recursive: true });
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
      error instanceof NonFiniteLossError &&
      new RegExp(
        "loss is NaN at epoch 2, step 1 \\(global step 3\\); the optimiser step was skipped and " +
          `the last good checkpoint, ${outDir}/checkpoints/last \\(end of epoch 1\\), is kept\\. ` +
          "Usual cures: a lower learning rate \\(--lr\\), a larger temperature \\(--temperature",
      ).test(error.message),
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

Deno.test("`fit()` names the step when the gradients of a finite loss are not finite", async () => {
  const outDir = await Deno.makeTempDir();
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed: 5 });
  const optimizer = new AdamW(model.parameters());
  const before = await model.parameters().get("fc.2.bias")!.data();
  // sqrt(0 * b): the loss is 0, its gradient 0 * (1 / 0), NaN.
  await assert.rejects(
    () =>
      fit({
        model,
        optimizer,
        epochs: 1,
        stepsPerEpoch: 2,
        batches: async function* () {
          yield 0;
          yield 1;
        },
        step: async () => ({
          ...await trainStep(model, optimizer, () => ({
            loss: tf.sqrt(tf.sum(tf.mul(model.parameters().get("fc.2.bias")!, 0))) as tf.Scalar,
          })),
          images: 1,
        }),
        outDir,
        log: null,
      }),
    (error: unknown) =>
      error instanceof NonFiniteLossError && error.quantity === "gradients" &&
      /the gradients are not finite \(their sum is NaN\) at epoch 1, step 1 \(global step 1\); .*no checkpoint was written yet/
        .test(error.message),
  );
  assert.deepEqual(await model.parameters().get("fc.2.bias")!.data(), before); // no step taken
  optimizer.dispose();
  model.dispose();
  await Deno.remove(outDir, { recursive: true });
});

Deno.test("`fit()` stopped by a signal mid-epoch checkpoints that step, and the resumed run equals an uninterrupted one", async () => {
  const whole = await run(9, 3);
  const outDir = await Deno.makeTempDir();
  const lines: string[] = [];
  // The signal arrives during epoch 2's first step (0-based epoch 1, step 0). It is one that
  // only this run listens for: a signal goes to the whole process, and under `deno test
  // --parallel` other files' runs listen for SIGINT and SIGTERM in it (the faults tests send
  // those to commands in their own processes).
  await assert.rejects(
    () =>
      run(9, 3, {
        signals: ["SIGUSR2"],
        step: async (_, { epoch, step }) => {
          if (epoch === 1 && step === 0) {
            // A signal is delivered through the event loop: wait until it has been (fit()'s
            // listener runs in the same dispatch as this one), or a loaded machine finishes
            // the epoch first.
            const delivered = Promise.withResolvers<void>();
            const heard = () => delivered.resolve();
            Deno.addSignalListener("SIGUSR2", heard);
            const awake = setInterval(() => {}, 10); // signal listeners keep no loop alive
            Deno.kill(Deno.pid, "SIGUSR2");
            await delivered.promise;
            clearInterval(awake);
            Deno.removeSignalListener("SIGUSR2", heard);
          }
          return contrastiveStep(modelOf.current!, optimizerOf.current!, epoch, step);
        },
        log: (line) => lines.push(line),
      }, outDir),
    (error: unknown) =>
      error instanceof TrainingInterruptedError && error.exitCode === 140 &&
      error.message ===
        `SIGUSR2: stopped at epoch 2/3, step 1 of 2; checkpoint ${outDir}/checkpoints/last ` +
          "(epoch 2, step 1) written: continue with --resume (fit()'s options.resume) and the " +
          "same settings",
  );
  assert.deepEqual(lines.filter((line) => line.startsWith("SIG")), [
    "SIGUSR2: finishing this step, then writing a checkpoint (SIGUSR2 again stops at once)",
  ]);
  const state = JSON.parse(await Deno.readTextFile(`${outDir}/checkpoints/last.json`));
  assert.deepEqual([state.epoch, state.globalStep, state.inEpoch.step], [1, 3, 1]);
  assert.equal(await Deno.stat(`${outDir}/run.lock`).catch(() => null), null); // released
  const resumed = await run(9, 3, { resume: true }, outDir);
  assert.deepEqual(resumed.weights, whole.weights);
  assert.deepEqual(resumed.losses, whole.losses);
  assert.deepEqual(await records(outDir), await records(whole.outDir));
  for (const r of [whole, resumed]) await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` resumes from `previous` when `last` is damaged, saying so, and trains the same", async () => {
  const whole = await run(10, 3);
  const outDir = await Deno.makeTempDir();
  await run(10, 3, {}, outDir);
  // A crash of the machine tore last.safetensors: resume falls back to epoch 2's checkpoint.
  const weights = `${outDir}/checkpoints/last.safetensors`;
  await Deno.truncate(weights, (await Deno.stat(weights)).size - 7);
  const lines: string[] = [];
  const resumed = await run(10, 3, { resume: true, log: (line) => lines.push(line) }, outDir);
  assert.match(
    lines[0],
    new RegExp(
      `^checkpoint ${weights} is damaged: \\d+ bytes, expected \\d+ .*: using the previous ` +
        `good one, ${outDir}/checkpoints/previous \\(end of epoch 2\\)$`,
    ),
  );
  assert.match(lines[1], /^resuming from .*checkpoints\/previous \(epoch 2 of 3 done\)$/);
  assert.deepEqual(resumed.weights, whole.weights);
  assert.deepEqual(await records(outDir), await records(whole.outDir));
  for (const r of [whole, resumed]) await Deno.remove(r.outDir, { recursive: true });
});

Deno.test("`fit()` holds its outDir: `run.lock` names this process while it trains, and is gone after", async () => {
  const outDir = await Deno.makeTempDir();
  const holders: number[] = [];
  await run(11, 1, {
    step: async (_, { epoch, step }) => {
      holders.push(JSON.parse(await Deno.readTextFile(`${outDir}/run.lock`)).pid);
      return contrastiveStep(modelOf.current!, optimizerOf.current!, epoch, step);
    },
  }, outDir);
  assert.deepEqual(holders, [Deno.pid, Deno.pid]);
  assert.equal(await Deno.stat(`${outDir}/run.lock`).catch(() => null), null);
  await Deno.remove(outDir, { recursive: true });
});

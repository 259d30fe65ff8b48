// Copyright 2026 the simclr authors. MIT license.
// `deno task baseline`: the tutorial's supervised ResNet-18 trained from scratch on the
// labelled split (its `train_resnet`), for comparison with the probe on SimCLR features.
import * as tf from "@tensorflow/tfjs";
import { batches, openSTL10, stepsPerEpoch, type STL10Dataset } from "@simclr/datasets";
import { accuracy, extractFeatures, TUTORIAL_BASELINE_ACCURACY } from "@simclr/eval";
import { mixSeed } from "@simclr/internal/random";
import { writeJsonAtomic } from "@simclr/internal/write-atomic";
import type { ResNet } from "@simclr/models";
import { AdamW, fit, loadCheckpoint, multiStepLR, ReplicaTrainer } from "@simclr/train";
import {
  type BaselinePayload,
  type BaselineReplicaConfig,
  createReplica,
} from "./_baseline_replica.ts";
import { type Flag, type Flags, parseFlags, runMain, UsageError } from "./_cli.ts";
import {
  ensureDemoData,
  presetLine,
  resolve,
  type RunSettings,
  runSettings,
  SHARED_FLAGS,
  startBackend,
  STEM_FLAG,
  trainingValues,
  writeRunConfig,
  writeRunReport,
} from "./_run.ts";

const FLAGS: Flag[] = [
  ...SHARED_FLAGS,
  { name: "lr", type: "number", min: 0, help: "AdamW learning rate (tutorial: 1e-3)" },
  { name: "weight-decay", type: "number", min: 0, help: "AdamW weight decay (tutorial: 2e-4)" },
  STEM_FLAG,
  {
    name: "val-every",
    type: "integer",
    min: 1,
    help: "Test accuracy every k epochs (tutorial: 2)",
  },
];

/** The configuration of a baseline run. */
export interface BaselineConfig extends RunSettings {
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  valEvery: number;
}

/** The outcome of a baseline run (also `baseline.json`). */
export interface BaselineResult {
  train: number;
  test: number;
  bestEpoch: number;
  tutorial: number;
}

/** Accuracy of a classifier on a split, evaluated as the tutorial's test transform. */
async function evaluate(model: ResNet, split: STL10Dataset, imageSize: number): Promise<number> {
  const { features: logits, labels } = await extractFeatures(model, split, {
    imageSize,
    progress: false,
  });
  const predictions = tf.tidy(() => tf.argMax(logits, 1));
  const result = accuracy(await predictions.data(), labels);
  tf.dispose([logits, predictions]);
  return result;
}

/** Trains the supervised baseline with `config`; writes `baseline.json` into `config.out`. */
export async function baseline(config: BaselineConfig): Promise<BaselineResult> {
  console.error(presetLine("baseline", config, trainingValues(config)));
  const parallelism = await startBackend(config, config.batchSize);
  const dataDir = config.data ?? await ensureDemoData();
  const train = await openSTL10(dataDir, "train");
  const test = await openSTL10(dataDir, "test");
  if (train.length < 2) {
    throw new UsageError(
      `--data ${dataDir}: the train split has ${train.length} images: expected 2 or more`,
    );
  }
  const steps = stepsPerEpoch(train.length, { batchSize: config.batchSize });
  const fullConfig = await writeRunConfig(config, dataDir, parallelism);

  const replicaConfig: BaselineReplicaConfig = {
    backend: parallelism.backend.name,
    threads: parallelism.threads,
    numClasses: train.classNames.length,
    width: config.width,
    stem: config.stem,
    seed: config.seed,
    sourceSize: train.imageSize,
    imageSize: config.imageSize,
  };
  const replica = await createReplica(replicaConfig);
  const model = replica.model;
  const optimizer = new AdamW(model.parameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  const trainer = await ReplicaTrainer.start<BaselineReplicaConfig, BaselinePayload>({
    replica,
    optimizer,
    workers: parallelism.workers,
    accumulate: config.accumulate,
    module: new URL("./_baseline_replica.ts", import.meta.url),
    config: replicaConfig,
    maxBatchSize: config.batchSize,
    outputDim: replicaConfig.numClasses,
  });
  const imageBytes = train.imageSize * train.imageSize * 3;
  console.error(
    `training the supervised baseline on ${train.length} labelled images of ${dataDir} ` +
      `for ${config.epochs} epochs into ${config.out}`,
  );
  try {
    const result = await fit({
      model,
      optimizer,
      schedule: multiStepLR({
        baseLr: config.lr,
        milestones: [Math.floor(config.epochs * 0.7), Math.floor(config.epochs * 0.9)],
        gamma: 0.1,
      }),
      epochs: config.epochs,
      stepsPerEpoch: steps,
      batches: (epoch) => batches(train, { batchSize: config.batchSize, seed: config.seed, epoch }),
      step: async (batch, { epoch, step }) => {
        const seed = mixSeed(config.seed, epoch, step);
        const size = batch.indices.length;
        const result = await trainer.step(size, ({ start, count }) => ({
          pixels: batch.pixels.subarray(start * imageBytes, (start + count) * imageBytes),
          seed,
          labels: batch.labels!,
        }));
        return { ...result, images: size };
      },
      // The tutorial validates on the test set and keeps the best model by it.
      validate: async () => ({ acc: await evaluate(model, test, config.imageSize) }),
      validateEvery: config.valEvery,
      monitor: { metric: "val_acc", mode: "max" },
      outDir: config.out,
      config: fullConfig,
      seed: config.seed,
      resume: config.resume,
      extend: config.extend,
    });
    await loadCheckpoint(`${config.out}/checkpoints`, "best", model);
    const outcome: BaselineResult = {
      train: await evaluate(model, train, config.imageSize),
      test: await evaluate(model, test, config.imageSize),
      bestEpoch: result.best!.epoch,
      tutorial: TUTORIAL_BASELINE_ACCURACY,
    };
    await writeJsonAtomic(`${config.out}/baseline.json`, outcome);
    await writeRunReport(
      config.out,
      {
        title: `Supervised baseline (${config.preset} preset)`,
        config: fullConfig,
        baseline: { train: outcome.train, test: outcome.test },
      },
      "baselineMetrics",
    );
    return outcome;
  } finally {
    trainer.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** Reads the command line into a {@linkcode BaselineConfig}. */
export function baselineConfig(args: string[]): BaselineConfig {
  return baselineSettings(parseFlags(
    "baseline",
    "Supervised ResNet-18 from scratch on the labelled split (the tutorial's train_resnet).",
    FLAGS,
    args,
  ));
}

/** A {@linkcode BaselineConfig} from parsed flags: each absent flag takes its default. */
export function baselineSettings(flags: Flags): BaselineConfig {
  const { preset, settings } = runSettings(flags, "baseline");
  const pick = <T>(name: string, fallback: T): T => resolve(flags, name, fallback);
  return {
    ...settings,
    epochs: pick("epochs", preset.name === "tutorial" ? 100 : 12),
    batchSize: pick("batch-size", 64),
    lr: pick("lr", 1e-3),
    weightDecay: pick("weight-decay", 2e-4),
    valEvery: pick("val-every", 2),
  };
}

if (import.meta.main) {
  await runMain(async () => {
    const config = baselineConfig(Deno.args);
    const result = await baseline(config);
    console.log(
      `baseline: train accuracy ${(100 * result.train).toFixed(2)}%, test accuracy ` +
        `${(100 * result.test).toFixed(2)}% (tutorial on STL10: ` +
        `${(100 * result.tutorial).toFixed(2)}%); ${config.out}/baseline.json`,
    );
  });
}

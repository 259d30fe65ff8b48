// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs";
import { batches, type ImageSource, stepsPerEpoch } from "@simclr/datasets";
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
import { type CommandSpec, withFlagDefaults } from "./flag.ts";
import { labelledSplit, openData } from "./open_data.ts";
import { inRunFolder, writeRunConfig, writeRunReport } from "./run_folder.ts";
import {
  presetLine,
  type RunOptions,
  type RunSettings,
  runSettings,
  SHARED_FLAGS,
  STEM_FLAG,
  trainingValues,
} from "./run_settings.ts";
import { startBackend } from "./start_backend.ts";
import { UsageError } from "./usage_error.ts";
import { pick } from "./_pick.ts";

/** `deno task baseline`: its description and flags, each a field of {@linkcode BaselineConfig}. */
export const BASELINE_COMMAND: CommandSpec = {
  name: "baseline",
  description:
    "Supervised ResNet-18 from scratch on the labelled split (the tutorial's train_resnet).",
  flags: [
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
  ],
};

/** The configuration of a baseline run, every field resolved. */
export interface BaselineConfig extends RunSettings {
  /** Training epochs (the preset's `baselineEpochs`). */
  epochs: number;
  /** Images per batch (the tutorial's: 64). */
  batchSize: number;
  /** AdamW's learning rate (the tutorial's: 1e-3, divided by 10 at 70% and 90% of the epochs). */
  lr: number;
  /** AdamW's weight decay (the tutorial's: 2e-4). */
  weightDecay: number;
  /** Test accuracy every k epochs (the tutorial's: 2). */
  valEvery: number;
}

/** What {@linkcode baseline} takes: any fields of {@linkcode BaselineConfig}, the rest defaults. */
export type BaselineOptions = Partial<BaselineConfig> & RunOptions;

/**
 * A complete {@linkcode BaselineConfig} from options: each absent field takes its flag's
 * default, else the preset's (epochs) or the tutorial's value.
 *
 * @param options Fields of the config (camelCase flags).
 * @returns The config.
 *
 * @example
 * ```ts
 * import { resolveBaselineConfig } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(resolveBaselineConfig({ preset: "tutorial" }).epochs, 100);
 * assert.equal(resolveBaselineConfig({}).lr, 1e-3);
 * ```
 */
export function resolveBaselineConfig(options: BaselineOptions = {}): BaselineConfig {
  const { progress: _, ...rest } = options;
  const given = withFlagDefaults(BASELINE_COMMAND.flags, rest);
  const { preset, settings } = runSettings(given, "baseline");
  const get = <T>(key: string, fallback: T): T => pick(given, key, fallback);
  return {
    ...settings,
    epochs: get("epochs", preset.baselineEpochs),
    batchSize: get("batchSize", 64),
    lr: get("lr", 1e-3),
    weightDecay: get("weightDecay", 2e-4),
    valEvery: get("valEvery", 2),
  };
}

/** The outcome of a baseline run (also `baseline.json`). */
export interface BaselineResult {
  /** Train accuracy of the best checkpoint. */
  train: number;
  /** Test accuracy of the best checkpoint. */
  test: number;
  /** Its epoch, from 0. */
  bestEpoch: number;
  /** The tutorial's test accuracy on STL10, for comparison. */
  tutorial: number;
}

/** Accuracy of a classifier on a split, evaluated as the tutorial's test transform. */
async function evaluate(model: ResNet, split: ImageSource, imageSize: number): Promise<number> {
  const { features: logits, labels } = await extractFeatures(model, split, {
    imageSize,
    progress: false,
  });
  const predictions = tf.tidy(() => tf.argMax(logits, 1));
  const result = accuracy(await predictions.data(), labels);
  tf.dispose([logits, predictions]);
  return result;
}

/**
 * Trains the tutorial's supervised baseline (`train_resnet`: a ResNet-18 classifier from
 * scratch on the labelled split, the best epoch by test accuracy) into a run folder:
 * `config.json`, `metrics.jsonl`, `checkpoints/`, `baseline.json`, `curves.svg`, `curves.png`
 * and `report.html`.
 *
 * @param options The run's settings (the flags of `deno task baseline`, camelCase), and
 *   `progress`, called after each step instead of drawing the terminal's progress bar.
 * @returns Train and test accuracy of the best checkpoint (also `baseline.json`).
 *
 * @example
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { baseline } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(`${dir}/data`, { trainPerClass: 1, testPerClass: 1, unlabeled: 0, imageSize: 16 });
 * const result = await baseline({
 *   data: `${dir}/data`, out: `${dir}/run`, epochs: 1, batchSize: 5, imageSize: 16, width: 2,
 *   backend: "cpu", workers: 1,
 * });
 * assert.ok(result.test >= 0 && result.test <= 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function baseline(options: BaselineOptions = {}): Promise<BaselineResult> {
  const config = resolveBaselineConfig(options);
  return await inRunFolder(config.out, () => baselineInFolder(config, options));
}

/** {@linkcode baseline} once its run folder is held. */
async function baselineInFolder(
  config: BaselineConfig,
  options: BaselineOptions,
): Promise<BaselineResult> {
  console.error(presetLine("baseline", config, trainingValues(config)));
  const parallelism = await startBackend(config, config.batchSize);
  const data = await openData(config);
  const dataDir = data.dir;
  const train = await labelledSplit(data, "train");
  const test = await labelledSplit(data, "test");
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
    module: new URL("./_baseline_replica.ts", import.meta.url).href,
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
        options.progress?.({
          stage: "baseline",
          epoch,
          epochs: config.epochs,
          step: step + 1,
          steps,
          value: result.loss,
        });
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
      ...(options.progress ? { progress: false } : {}),
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

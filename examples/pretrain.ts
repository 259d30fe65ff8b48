// Copyright 2026 the simclr authors. MIT license.
// `deno task pretrain`: SimCLR pretraining, the tutorial's `train_simclr`.
import "@tensorflow/tfjs"; // the gradients of every op
import type * as tf from "@tensorflow/tfjs-core";
import { batches, openSTL10, stepsPerEpoch } from "@simclr/datasets";
import { onlineMonitors } from "@simclr/eval/online-monitors";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { mixSeed } from "@simclr/internal/random";
import {
  AdamW,
  type BatchPart,
  cosineAnnealingLR,
  fit,
  type FitResult,
  ReplicaTrainer,
  validateContrastive,
} from "@simclr/train";
import { createReplica, type SimCLRPayload, type SimCLRReplicaConfig } from "./_simclr_replica.ts";
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
  writeRunConfig,
  writeRunReport,
} from "./_run.ts";

const FLAGS: Flag[] = [
  ...SHARED_FLAGS,
  { name: "hidden-dim", type: "integer", min: 1, help: "Projection size (tutorial: 128)" },
  { name: "temperature", type: "number", min: 1e-6, help: "InfoNCE temperature" },
  { name: "lr", type: "number", min: 0, help: "AdamW learning rate" },
  { name: "weight-decay", type: "number", min: 0, help: "AdamW weight decay" },
  { name: "n-views", type: "integer", min: 2, help: "Views per image" },
  {
    name: "crop-min-scale",
    type: "number",
    min: 0.01,
    help: "Smallest crop area of RandomResizedCrop (tutorial: 0.08)",
  },
  { name: "hue", type: "number", min: 0, help: "Hue jitter of ColorJitter (tutorial: 0.1)" },
  STEM_FLAG,
  { name: "val-every", type: "integer", min: 1, help: "Validate every k epochs" },
  {
    name: "monitor-images",
    type: "integer",
    min: 1,
    help: "Test images the online kNN monitor classifies at each validation (default: all)",
  },
];

/** The configuration of a pretraining run (all of it lands in config.json). */
export interface PretrainConfig extends RunSettings {
  epochs: number;
  batchSize: number;
  hiddenDim: number;
  temperature: number;
  lr: number;
  weightDecay: number;
  nViews: number;
  valEvery: number;
  /** Test images the online kNN monitor classifies; `null`: all. */
  monitorImages: number | null;
  cropMinScale: number;
  hue: number;
}

/** Runs SimCLR pretraining with `config`; returns the fit result. */
export async function pretrain(config: PretrainConfig): Promise<FitResult> {
  console.error(presetLine("pretrain", config, {
    epochs: config.epochs,
    "batch size": config.batchSize,
    "image size": config.imageSize,
    width: config.width,
    stem: config.stem,
    lr: config.lr,
    "weight decay": config.weightDecay,
    temperature: config.temperature,
    "crop scale": `${config.cropMinScale}-1`,
    hue: config.hue,
  }));
  const parallelism = await startBackend(config, config.batchSize);
  const dataDir = config.data ?? await ensureDemoData();
  // The tutorial trains on the unlabeled split and validates on the labelled train split.
  const trainSplit = config.data ? "unlabeled" : "train+unlabeled";
  const train = await openSTL10(dataDir, trainSplit);
  const val = await openSTL10(dataDir, "train");
  // The online kNN monitor: the labelled train split is its memory bank, the test split its queries.
  const test = await nullIfMissing(openSTL10(dataDir, "test"));
  const queries = test !== null && test.length > 0 ? test : null;
  if (queries === null) {
    console.error(
      `knn_top1: skipped: ${dataDir} has no labelled test images (test_X.bin, test_y.bin)`,
    );
  }
  const steps = stepsPerEpoch(train.length, { batchSize: config.batchSize, dropLast: true });
  if (steps === 0) {
    throw new UsageError(
      `--batch-size is ${config.batchSize}: expected at most the ${train.length} training ` +
        `images of ${dataDir}`,
    );
  }
  const fullConfig = await writeRunConfig(config, dataDir, parallelism);

  const replicaConfig: SimCLRReplicaConfig = {
    backend: parallelism.backend.name,
    threads: parallelism.threads,
    hiddenDim: config.hiddenDim,
    width: config.width,
    stem: config.stem,
    seed: config.seed,
    sourceSize: train.imageSize,
    imageSize: config.imageSize,
    nViews: config.nViews,
    cropMinScale: config.cropMinScale,
    hue: config.hue,
    temperature: config.temperature,
  };
  const replica = await createReplica(replicaConfig);
  const model = replica.model;
  const optimizer = new AdamW(model.parameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  const imageBytes = train.imageSize * train.imageSize * 3;
  /** A replica's part of a batch: its images and the batch's view seed, (seed, epoch, step). */
  const part = (pixels: Uint8Array, seed: number) => ({ start, count }: BatchPart) => ({
    pixels: pixels.subarray(start * imageBytes, (start + count) * imageBytes),
    seed,
  });
  async function* validationViews(epoch: number): AsyncGenerator<tf.Tensor4D> {
    const batchSize = Math.min(config.batchSize, val.length);
    for await (const batch of batches(val, { batchSize, shuffle: false })) {
      const count = batch.indices.length;
      const payload = part(batch.pixels, mixSeed(config.seed, epoch, -1 - batch.step))({
        start: 0,
        count,
      });
      yield replica.inputs({ start: 0, count, batchSize: count, payload }) as tf.Tensor4D;
    }
  }
  const trainer = await ReplicaTrainer.start<SimCLRReplicaConfig, SimCLRPayload>({
    replica,
    optimizer,
    workers: parallelism.workers,
    accumulate: config.accumulate,
    module: new URL("./_simclr_replica.ts", import.meta.url),
    config: replicaConfig,
    maxBatchSize: config.batchSize,
    outputDim: config.hiddenDim,
  });

  console.error(
    `pretraining ${trainSplit} of ${dataDir} (${train.length} images, ${steps} steps per epoch) ` +
      `for ${config.epochs} epochs into ${config.out}`,
  );
  try {
    const result = await fit({
      model,
      optimizer,
      schedule: cosineAnnealingLR({
        baseLr: config.lr,
        tMax: config.epochs,
        etaMin: config.lr / 50,
      }),
      epochs: config.epochs,
      stepsPerEpoch: steps,
      batches: (epoch) =>
        batches(train, { batchSize: config.batchSize, dropLast: true, seed: config.seed, epoch }),
      step: async (batch, { epoch, step }) => ({
        ...await trainer.step(
          config.batchSize,
          part(batch.pixels, mixSeed(config.seed, epoch, step)),
        ),
        images: config.nViews * config.batchSize,
      }),
      validate: (epoch) =>
        validateContrastive(model, validationViews(epoch), {
          temperature: config.temperature,
          nViews: config.nViews,
        }),
      monitors: () =>
        onlineMonitors(model, {
          bank: val,
          queries,
          maxQueries: config.monitorImages ?? undefined,
          seed: config.seed, // the same queries at every validation
          batchSize: config.batchSize,
          imageSize: config.imageSize,
        }),
      validateEvery: config.valEvery,
      monitor: { metric: "val_acc_top5", mode: "max" },
      outDir: config.out,
      config: fullConfig,
      seed: config.seed,
      resume: config.resume,
      extend: config.extend,
    });
    await writeRunReport(
      config.out,
      { title: `SimCLR pretraining (${config.preset} preset)`, config: fullConfig },
      "pretrainMetrics",
    );
    return result;
  } finally {
    trainer.close();
    optimizer.dispose();
    model.dispose();
  }
}

/** Reads the command line into a {@linkcode PretrainConfig}. */
export function pretrainConfig(args: string[]): PretrainConfig {
  return pretrainSettings(parseFlags(
    "pretrain",
    "SimCLR pretraining of a ResNet-18 (the tutorial's train_simclr). Without --data it " +
      "generates and uses the demo data set; --preset tutorial --data DIR is the tutorial's " +
      "configuration on STL10.",
    FLAGS,
    args,
  ));
}

/** A {@linkcode PretrainConfig} from parsed flags: each absent flag takes the preset's value. */
export function pretrainSettings(flags: Flags): PretrainConfig {
  const { preset, settings } = runSettings(flags, "pretrain");
  const pick = <T>(name: string, fallback: T): T => resolve(flags, name, fallback);
  return {
    ...settings,
    epochs: pick("epochs", preset.epochs),
    batchSize: pick("batch-size", preset.batchSize),
    hiddenDim: pick("hidden-dim", preset.hiddenDim),
    temperature: pick("temperature", preset.temperature),
    lr: pick("lr", preset.lr),
    weightDecay: pick("weight-decay", preset.weightDecay),
    nViews: pick("n-views", 2),
    valEvery: pick("val-every", 1),
    monitorImages: pick<number | null>("monitor-images", null),
    cropMinScale: pick("crop-min-scale", preset.cropMinScale),
    hue: pick("hue", preset.hue),
  };
}

if (import.meta.main) {
  await runMain(async () => {
    const config = pretrainConfig(Deno.args);
    const result = await pretrain(config);
    console.log(
      `done: ${result.epochs} epochs; weights in ${result.checkpoints.last}` +
        (result.best
          ? `, best val_acc_top5 ${result.best.value.toFixed(4)} at epoch ${
            result.best.epoch + 1
          } in ` +
            `${result.checkpoints.best}`
          : "") +
        `; metrics in ${config.out}/metrics.jsonl. Next: deno task probe -- --weights ` +
        `${result.checkpoints.best ?? result.checkpoints.last}`,
    );
  });
}

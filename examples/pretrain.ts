// Copyright 2026 the simclr authors. MIT license.
// `deno task pretrain`: SimCLR pretraining, the tutorial's `train_simclr`.
import "@tensorflow/tfjs"; // the gradients of every op
import type * as tf from "@tensorflow/tfjs-core";
import { simclrViews } from "@simclr/augment";
import { selectBackend } from "@simclr/backends";
import { batches, openSTL10, stepsPerEpoch } from "@simclr/datasets";
import { mixSeed } from "@simclr/internal/random";
import { simclrNet } from "@simclr/models";
import {
  AdamW,
  contrastiveLoss,
  cosineAnnealingLR,
  fit,
  type FitResult,
  trainStep,
  validateContrastive,
} from "@simclr/train";
import { type Flag, type Flags, parseFlags, runMain, UsageError } from "./_cli.ts";
import {
  ensureDemoData,
  resolve,
  type RunSettings,
  runSettings,
  SHARED_FLAGS,
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
  cropMinScale: number;
  hue: number;
}

/** Runs SimCLR pretraining with `config`; returns the fit result. */
export async function pretrain(config: PretrainConfig): Promise<FitResult> {
  const backend = await selectBackend(config.backend);
  const dataDir = config.data ?? await ensureDemoData();
  // The tutorial trains on the unlabeled split and validates on the labelled train split.
  const trainSplit = config.data ? "unlabeled" : "train+unlabeled";
  const train = await openSTL10(dataDir, trainSplit);
  const val = await openSTL10(dataDir, "train");
  const steps = stepsPerEpoch(train.length, { batchSize: config.batchSize, dropLast: true });
  if (steps === 0) {
    throw new UsageError(
      `--batch-size is ${config.batchSize}: expected at most the ${train.length} training ` +
        `images of ${dataDir}`,
    );
  }
  const fullConfig = await writeRunConfig(config, dataDir, backend);

  const model = simclrNet({
    hiddenDim: config.hiddenDim,
    width: config.width,
    stem: config.stem,
    seed: config.seed,
  });
  const optimizer = new AdamW(model.parameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  // The views of a batch, seeded by (seed, epoch, step); made before the loss, off the tape.
  const views = (pixels: Uint8Array, seed: number): tf.Tensor4D =>
    simclrViews({ pixels, height: train.imageSize, width: train.imageSize }, {
      seed,
      nViews: config.nViews,
      size: config.imageSize,
      cropScale: [config.cropMinScale, 1],
      hue: config.hue,
    });
  const lossOptions = { temperature: config.temperature, nViews: config.nViews };
  async function* validationViews(epoch: number): AsyncGenerator<tf.Tensor4D> {
    const batchSize = Math.min(config.batchSize, val.length);
    for await (const batch of batches(val, { batchSize, shuffle: false })) {
      yield views(batch.pixels, mixSeed(config.seed, epoch, -1 - batch.step));
    }
  }

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
      step: async (batch, { epoch, step }) => {
        const batchViews = views(batch.pixels, mixSeed(config.seed, epoch, step));
        try {
          const loss = () => contrastiveLoss(model, batchViews, lossOptions);
          return { ...await trainStep(model, optimizer, loss), images: batchViews.shape[0] };
        } finally {
          batchViews.dispose();
        }
      },
      validate: (epoch) => validateContrastive(model, validationViews(epoch), lossOptions),
      validateEvery: config.valEvery,
      monitor: { metric: "val_acc_top5", mode: "max" },
      outDir: config.out,
      config: fullConfig,
      seed: config.seed,
      resume: config.resume,
    });
    await writeRunReport(
      config.out,
      { title: `SimCLR pretraining (${config.preset} preset)`, config: fullConfig },
      "pretrainMetrics",
    );
    return result;
  } finally {
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

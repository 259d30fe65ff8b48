// Copyright 2026 the simclr authors. MIT license.
// `deno task pretrain`: SimCLR pretraining, the tutorial's `train_simclr`.
import "@tensorflow/tfjs"; // the gradients of every op
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
} from "@simclr/train";
import {
  METHOD_REPLICA_MODULE,
  methodByName,
  type MethodConfig,
  type MethodPayload,
} from "@simclr/methods";
import { type Flag, type Flags, parseFlags, runMain, UsageError } from "./_cli.ts";
import {
  blurSigmaRange,
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
  {
    name: "method",
    type: "string",
    choices: ["simclr", "supcon", "barlow", "byol"],
    default: "simclr",
    help: "simclr (the tutorial's), supcon (SupCon on the labelled split with its labels), " +
      "barlow (Barlow Twins), byol (BYOL)",
  },
  {
    name: "hidden-dim",
    type: "integer",
    min: 1,
    help: "Projection size (tutorial: 128; byol: 4 x --width, the paper's 256 at width 64)",
  },
  { name: "temperature", type: "number", min: 1e-6, help: "InfoNCE and SupCon temperature" },
  {
    name: "base-temperature",
    type: "number",
    min: 1e-6,
    help: "supcon: the loss is scaled by temperature / base temperature (default: --temperature)",
  },
  {
    name: "lambda",
    type: "number",
    min: 0,
    help: "barlow: weight of the off-diagonal term (default: 0.0051, the paper's; the demo " +
      "preset: 0.05, for its narrower projector)",
  },
  {
    name: "projector-dim",
    type: "integer",
    min: 1,
    help: "barlow: width of the projector's 3 layers (128 x --width: the paper's 8192 at width " +
      "64; the demo preset: 16 x --width); byol: hidden width of the projector and predictor " +
      "(64 x --width: 4096 at 64)",
  },
  {
    name: "tau-base",
    type: "number",
    min: 0,
    help: "byol: target network decay rate at the first step, rising to 1 by a cosine " +
      "(default: 0.996, the paper's)",
  },
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
  {
    name: "max-blur-sigma",
    type: "number",
    min: 0.01,
    help: "Largest sigma of GaussianBlur, in pixels of the views; the smallest is a twentieth " +
      "(tutorial: 2, at 96 px)",
  },
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
  /** The method: SimCLR (the tutorial's) or one the tutorial points to next. */
  method: "simclr" | "supcon" | "barlow" | "byol";
  /** supcon: the loss is scaled by temperature / baseTemperature. */
  baseTemperature?: number;
  /** barlow: weight of the off-diagonal term. */
  lambda?: number;
  /** barlow: the projector's width; byol: the hidden width of its projector and predictor. */
  projectorDim?: number;
  /** byol: the target network's decay rate at the first step. */
  tauBase?: number;
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
  /** GaussianBlur's sigma is drawn from {@linkcode blurSigmaRange} of this. */
  maxBlurSigma: number;
}

/** Runs pretraining (SimCLR, or `config.method`) with `config`; returns the fit result. */
export async function pretrain(config: PretrainConfig): Promise<FitResult> {
  if ((config.method === "barlow" || config.method === "byol") && config.nViews !== 2) {
    throw new UsageError(
      `--n-views is ${config.nViews}: expected 2 with --method ${config.method} (its loss ` +
        "pairs two views)",
    );
  }
  console.error(presetLine("pretrain", config, {
    ...(config.method === "simclr" ? {} : { method: config.method }),
    ...trainingValues(config),
    temperature: config.temperature,
    "crop scale": `${config.cropMinScale}-1`,
    hue: config.hue,
    "blur sigma": blurSigmaRange(config.maxBlurSigma).map((s) => +s.toFixed(3)).join("-"),
  }));
  const parallelism = await startBackend(config, config.batchSize);
  const dataDir = config.data ?? await ensureDemoData();
  // The tutorial trains on the unlabeled split and validates on the labelled train split;
  // SupCon trains on the labelled split, with its labels.
  const trainSplit = config.method === "supcon"
    ? "train"
    : config.data
    ? "unlabeled"
    : "train+unlabeled";
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

  const method = methodByName(config.method);
  const hyperparameters = Object.fromEntries(
    Object.keys(method.hyperparameters).map((key) => [
      key,
      (config as unknown as Record<string, number>)[key],
    ]),
  );
  const methodConfig: MethodConfig = {
    method: method.name,
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
    blurSigma: blurSigmaRange(config.maxBlurSigma),
    temperature: config.temperature,
    hyperparameters,
    totalSteps: config.epochs * steps,
  };
  const replica = await method.createReplica(methodConfig);
  const model = replica.model;
  const optimizer = new AdamW(model.parameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  const imageBytes = train.imageSize * train.imageSize * 3;
  /**
   * A replica's part of a batch: its images, the batch's view seed, (seed, epoch, step), and
   * (SupCon) the whole batch's labels.
   */
  const part =
    (pixels: Uint8Array, seed: number, labels: Int32Array | null = null) =>
    ({ start, count }: BatchPart): MethodPayload => ({
      pixels: pixels.subarray(start * imageBytes, (start + count) * imageBytes),
      seed,
      labels,
    });
  async function* validationBatches(epoch: number) {
    const batchSize = Math.min(config.batchSize, val.length);
    for await (const batch of batches(val, { batchSize, shuffle: false })) {
      const count = batch.indices.length;
      const seed = mixSeed(config.seed, epoch, -1 - batch.step);
      yield { count, payload: part(batch.pixels, seed, batch.labels)({ start: 0, count }) };
    }
  }
  const trainer = await ReplicaTrainer.start<MethodConfig, MethodPayload>({
    replica,
    optimizer,
    workers: parallelism.workers,
    accumulate: config.accumulate,
    module: METHOD_REPLICA_MODULE,
    config: methodConfig,
    maxBatchSize: config.batchSize,
    outputDim: replica.outputDim,
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
          part(
            batch.pixels,
            mixSeed(config.seed, epoch, step),
            config.method === "supcon" ? batch.labels : null,
          ),
        ),
        images: config.nViews * config.batchSize,
      }),
      validate: (epoch) => method.validate(replica, validationBatches(epoch), methodConfig),
      monitors: () =>
        onlineMonitors(replica.monitored, {
          bank: val,
          queries,
          maxQueries: config.monitorImages ?? undefined,
          seed: config.seed, // the same queries at every validation
          batchSize: config.batchSize,
          imageSize: config.imageSize,
        }),
      validateEvery: config.valEvery,
      monitor: { ...method.monitor },
      outDir: config.out,
      config: fullConfig,
      seed: config.seed,
      resume: config.resume,
      extend: config.extend,
    });
    await writeRunReport(
      config.out,
      {
        title: `${method.title} pretraining (${config.preset} preset)`,
        config: fullConfig,
      },
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
    "SimCLR pretraining of a ResNet-18 (the tutorial's train_simclr), or with --method one of " +
      "the methods the tutorial points to next: SupCon, Barlow Twins, BYOL (their flags say " +
      "which method they belong to). Without --data it generates and uses the demo data set; " +
      "--preset tutorial --data DIR is the tutorial's configuration on STL10.",
    FLAGS,
    args,
  ));
}

/** The methods each method-specific flag belongs to. */
const METHOD_FLAGS: Record<string, PretrainConfig["method"][]> = {
  "base-temperature": ["supcon"],
  "lambda": ["barlow"],
  "projector-dim": ["barlow", "byol"],
  "tau-base": ["byol"],
};

/** A {@linkcode PretrainConfig} from parsed flags: each absent flag takes the preset's value. */
export function pretrainSettings(flags: Flags): PretrainConfig {
  const { preset, settings } = runSettings(flags, "pretrain");
  const pick = <T>(name: string, fallback: T): T => resolve(flags, name, fallback);
  const method = pick<PretrainConfig["method"]>("method", "simclr");
  for (const [name, methods] of Object.entries(METHOD_FLAGS)) {
    if (flags[name] !== undefined && !methods.includes(method)) {
      throw new UsageError(
        `--${name} is ${flags[name]}: expected only with --method ${methods.join(" or ")} ` +
          `(the method is ${method})`,
      );
    }
  }
  const temperature = pick("temperature", preset.temperature);
  const own = method === "simclr" ? {} : preset.methods?.[method] ?? {};
  // Each method's own hyperparameters, recorded only for it: the papers' values (unless the
  // preset departs from them), sizes scaled from their ResNet-50 at width 64 to --width.
  const projectorDim = (paperPerWidth: number) =>
    pick("projector-dim", (own.projectorPerWidth ?? paperPerWidth) * settings.width);
  const perMethod: Partial<PretrainConfig> = method === "supcon"
    ? { baseTemperature: pick("base-temperature", temperature) }
    : method === "barlow"
    ? { lambda: pick("lambda", own.lambda ?? 0.0051), projectorDim: projectorDim(128) }
    : method === "byol"
    ? { tauBase: pick("tau-base", own.tauBase ?? 0.996), projectorDim: projectorDim(64) }
    : {};
  return {
    ...settings,
    method,
    ...perMethod,
    epochs: pick("epochs", own.epochs ?? preset.epochs),
    batchSize: pick("batch-size", preset.batchSize),
    hiddenDim: pick("hidden-dim", method === "byol" ? 4 * settings.width : preset.hiddenDim),
    temperature,
    lr: pick("lr", own.lr ?? preset.lr),
    weightDecay: pick("weight-decay", preset.weightDecay),
    nViews: pick("n-views", 2),
    valEvery: pick("val-every", 1),
    monitorImages: pick<number | null>("monitor-images", null),
    cropMinScale: pick("crop-min-scale", preset.cropMinScale),
    hue: pick("hue", preset.hue),
    maxBlurSigma: pick("max-blur-sigma", preset.maxBlurSigma),
  };
}

if (import.meta.main) {
  await runMain(async () => {
    const config = pretrainConfig(Deno.args);
    const result = await pretrain(config);
    console.log(
      `done: ${result.epochs} epochs; weights in ${result.checkpoints.last}` +
        (result.best
          ? `, best ${methodByName(config.method).monitor.metric} ${
            result.best.value.toFixed(4)
          } at epoch ${result.best.epoch + 1} in ` +
            `${result.checkpoints.best}`
          : "") +
        `; metrics in ${config.out}/metrics.jsonl. Next: deno task probe -- --weights ` +
        `${result.checkpoints.best ?? result.checkpoints.last}`,
    );
  });
}

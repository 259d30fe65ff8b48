// Copyright 2026 the simclr authors. MIT license.
import "@tensorflow/tfjs"; // the gradients of every op
import { batches, type ImageSource, stepsPerEpoch } from "@simclr/datasets";
import { onlineMonitors } from "@simclr/eval/online-monitors";
import { mixSeed } from "@simclr/internal/random";
import {
  METHOD_REPLICA_MODULE,
  type MethodConfig,
  type MethodPayload,
  METHODS,
  paperValue,
} from "@simclr/methods";
import {
  AdamW,
  type BatchPart,
  cosineAnnealingLR,
  fit,
  type FitResult,
  ReplicaTrainer,
} from "@simclr/train";
import { type CommandSpec, type Flag, flagName, withFlagDefaults } from "./flag.ts";
import { openData } from "./open_data.ts";
import { blurSigmaRange } from "./presets.ts";
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

/** Each method hyperparameter's flag, and the methods that take it (from `METHODS`). */
function methodFlags(): { flags: Flag[]; owners: Map<string, string[]> } {
  const flags: Flag[] = [];
  const owners = new Map<string, string[]>();
  for (const method of Object.values(METHODS)) {
    for (const [key, h] of Object.entries(method.hyperparameters)) {
      const name = flagName(key);
      const flag = flags.find((f) => f.name === name);
      const help = `${method.name}: ${h.help}`;
      if (flag) flag.help += `; ${help}`;
      else flags.push({ name, type: h.type, min: h.min, help });
      owners.set(key, [...owners.get(key) ?? [], method.name]);
    }
  }
  return { flags, owners };
}

const METHOD_FLAGS = methodFlags();
const perWidth = Object.values(METHODS).filter((m) => m.hiddenDimPerWidth !== undefined);

/** `deno task pretrain`: its description and flags, each a field of {@linkcode PretrainConfig}. */
export const PRETRAIN_COMMAND: CommandSpec = {
  name: "pretrain",
  description: "SimCLR pretraining of a ResNet-18 (the tutorial's train_simclr), or with " +
    "--method one of the methods the tutorial points to next: SupCon, Barlow Twins, BYOL (their " +
    "flags say which method they belong to). Without --data it generates and uses the demo data " +
    "set; --preset tutorial --data DIR is the tutorial's configuration on STL10.",
  flags: [
    ...SHARED_FLAGS,
    {
      name: "method",
      type: "string",
      choices: Object.keys(METHODS),
      default: "simclr",
      help: Object.values(METHODS).map((m) =>
        `${m.name} (${m.title}${m.name === "simclr" ? ", the tutorial's" : ""}${
          m.labels ? " on the labelled split with its labels" : ""
        })`
      ).join(", "),
    },
    {
      name: "hidden-dim",
      type: "integer",
      min: 1,
      help: `Projection size (tutorial: 128${
        perWidth.map((m) =>
          `; ${m.name}: ${m.hiddenDimPerWidth} x --width, the paper's ${
            64 * m.hiddenDimPerWidth!
          } at width 64`
        ).join("")
      })`,
    },
    { name: "temperature", type: "number", min: 1e-6, help: "InfoNCE and SupCon temperature" },
    ...METHOD_FLAGS.flags,
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
  ],
};

/** The configuration of a pretraining run, every field resolved (all of it lands in config.json). */
export interface PretrainConfig extends RunSettings {
  /** The method's name in `METHODS` of `@simclr/methods` (`simclr`: the tutorial's). */
  method: string;
  /** supcon: the loss is scaled by temperature / baseTemperature. */
  baseTemperature?: number;
  /** barlow: weight of the off-diagonal term. */
  lambda?: number;
  /** barlow: the projector's width; byol: the hidden width of its projector and predictor. */
  projectorDim?: number;
  /** byol: the target network's decay rate at the first step. */
  tauBase?: number;
  /** Training epochs. */
  epochs: number;
  /** Images per batch. */
  batchSize: number;
  /** Projection size. */
  hiddenDim: number;
  /** InfoNCE's (and SupCon's) temperature. */
  temperature: number;
  /** AdamW's learning rate (cosine-annealed per epoch to a fiftieth). */
  lr: number;
  /** AdamW's weight decay. */
  weightDecay: number;
  /** Views per image. */
  nViews: number;
  /** Validate (and run the online monitors) every k epochs, and at the last. */
  valEvery: number;
  /** Test images the online kNN monitor classifies; `null`: all. */
  monitorImages: number | null;
  /** Smallest crop area of RandomResizedCrop. */
  cropMinScale: number;
  /** Hue jitter of ColorJitter. */
  hue: number;
  /** GaussianBlur's sigma is drawn from {@linkcode blurSigmaRange} of this. */
  maxBlurSigma: number;
}

/** What {@linkcode pretrain} takes: any fields of {@linkcode PretrainConfig}, the rest defaults. */
export type PretrainOptions = Partial<PretrainConfig> & RunOptions & {
  /**
   * Images to train on instead of `data`'s folder: any `ImageSource` of `@simclr/datasets`
   * (it is also the validation split, and the kNN monitor's bank when it has labels).
   */
  source?: ImageSource;
};

/** What {@linkcode pretrain} returns: `fit()`'s result, and the config it ran with. */
export interface PretrainResult extends FitResult {
  /** The resolved configuration. */
  config: PretrainConfig;
}

/**
 * A complete {@linkcode PretrainConfig} from options: each absent field takes its flag's
 * default, else the preset's value (the method's departure from it first), else the method's
 * paper's. A hyperparameter of another method than `options.method` is an error.
 *
 * @param options Fields of the config (camelCase flags).
 * @returns The config.
 *
 * @example
 * ```ts
 * import { resolvePretrainConfig } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const config = resolvePretrainConfig({ method: "barlow", width: 4 });
 * assert.deepEqual([config.epochs, config.lambda, config.projectorDim], [10, 0.05, 64]);
 * ```
 */
export function resolvePretrainConfig(options: PretrainOptions = {}): PretrainConfig {
  const { progress: _, source: __, ...rest } = options;
  const given = withFlagDefaults(PRETRAIN_COMMAND.flags, rest);
  const { preset, settings } = runSettings(given, "pretrain");
  const get = <T>(key: string, fallback: T): T => pick(given, key, fallback);
  const method = METHODS[get("method", "simclr")];
  if (method === undefined) {
    throw new UsageError(
      `--method is "${given.method}": expected one of ${Object.keys(METHODS).join(", ")}`,
    );
  }
  for (const [key, methods] of METHOD_FLAGS.owners) {
    const value = (given as Record<string, unknown>)[key];
    if (value !== undefined && !methods.includes(method.name)) {
      throw new UsageError(
        `--${flagName(key)} is ${value}: expected only with --method ${methods.join(" or ")} ` +
          `(the method is ${method.name})`,
      );
    }
  }
  const temperature = get("temperature", preset.temperature);
  const own = preset.methods?.[method.name] ?? {};
  // The method's own hyperparameters, recorded only for it: the papers' values (unless the
  // preset departs from them), sizes scaled from their ResNet-50 at width 64 to the width.
  const hyperparameters = Object.fromEntries(
    Object.entries(method.hyperparameters).map(([key, h]) => {
      const scaled = own.perWidth?.[key];
      const fallback = own.hyperparameters?.[key] ??
        (scaled !== undefined
          ? scaled * settings.width
          : paperValue(h, { ...settings, temperature }));
      return [key, get(key, fallback)];
    }),
  );
  const perWidth = method.hiddenDimPerWidth;
  return {
    ...settings,
    method: method.name,
    ...hyperparameters,
    epochs: get("epochs", own.epochs ?? preset.epochs),
    batchSize: get("batchSize", preset.batchSize),
    hiddenDim: get(
      "hiddenDim",
      perWidth !== undefined ? perWidth * settings.width : preset.hiddenDim,
    ),
    temperature,
    lr: get("lr", own.lr ?? preset.lr),
    weightDecay: get("weightDecay", preset.weightDecay),
    nViews: get("nViews", 2),
    valEvery: get("valEvery", 1),
    monitorImages: get<number | null>("monitorImages", null),
    cropMinScale: get("cropMinScale", preset.cropMinScale),
    hue: get("hue", preset.hue),
    maxBlurSigma: get("maxBlurSigma", preset.maxBlurSigma),
  };
}

/** The training, validation and monitor splits of a run on `data`. */
async function pretrainSplits(config: PretrainConfig, labels: boolean, source?: ImageSource) {
  if (source !== undefined) {
    if (labels && source.labels() === null) {
      throw new UsageError(`--method ${config.method} needs labels: the source has none`);
    }
    const bank = source.labels() !== null ? source : null;
    console.error("knn_top1: skipped: the source given has no test split");
    const dir = "the source given";
    return { dir, train: source, trainSplit: "all", val: source, bank, queries: null };
  }
  const data = await openData(config);
  const { dataSet, dir } = data;
  // The tutorial trains on the unlabeled split and validates on the labelled train split;
  // a method that needs labels (SupCon) trains on the labelled split, with its labels.
  const order = labels
    ? ["train"] as const
    : config.data
    ? ["unlabeled", "train+unlabeled", "train"] as const
    : ["train+unlabeled", "unlabeled", "train"] as const;
  let trainSplit: string | null = null;
  let train: ImageSource | null = null;
  for (const name of order) {
    train = await dataSet.split(name);
    trainSplit = name;
    if (train !== null && (!labels || train.labels() !== null)) break;
    train = null;
  }
  if (train === null) {
    throw new UsageError(
      `--data ${dir}: no ${labels ? "labelled " : ""}images to train on` +
        (labels ? ` (--method ${config.method} needs labels)` : ""),
    );
  }
  const labelled = await dataSet.split("train");
  const val = labelled ?? train;
  // The online kNN monitor: the labelled train split is its memory bank, the test split its queries.
  const test = await dataSet.split("test");
  const queries = test !== null && test.length > 0 && test.labels() !== null ? test : null;
  if (queries === null) {
    const files = dataSet.format === "stl10" ? "test_X.bin, test_y.bin" : "a test/ folder";
    console.error(`knn_top1: skipped: ${dir} has no labelled test images (${files})`);
  }
  const bank = labelled !== null && labelled.labels() !== null ? labelled : null;
  return { dir, train, trainSplit: trainSplit!, val, bank, queries };
}

/**
 * Pretrains an encoder with a method of `@simclr/methods` (SimCLR by default, the tutorial's
 * `train_simclr`) into a run folder: `config.json`, `metrics.jsonl` (step and epoch records,
 * validation and the online monitors `knn_top1` and `embedding_std`), `checkpoints/`
 * (`last` and `best`, each `.safetensors` with the training state beside it), `curves.svg`,
 * `curves.png` and `report.html`. With `resume` it continues the run in `out`.
 *
 * @param options The run's settings (the flags of `deno task pretrain`, camelCase; see
 *   {@linkcode resolvePretrainConfig} for the defaults), and `progress`, called after each
 *   step instead of drawing the terminal's progress bar.
 * @returns `fit()`'s result (epochs, history, best, checkpoints) and the config.
 *
 * @example A tiny run on a tiny data set
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { pretrain } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(`${dir}/data`, { trainPerClass: 1, testPerClass: 1, unlabeled: 8, imageSize: 16 });
 * const steps: number[] = [];
 * const result = await pretrain({
 *   data: `${dir}/data`, out: `${dir}/run`, epochs: 1, batchSize: 8, imageSize: 16, width: 2,
 *   backend: "cpu", workers: 1, progress: (p) => steps.push(p.step),
 * });
 * assert.deepEqual(steps, [1]);
 * assert.equal(result.checkpoints.last, `${dir}/run/checkpoints/last.safetensors`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function pretrain(options: PretrainOptions = {}): Promise<PretrainResult> {
  const config = resolvePretrainConfig(options);
  return await inRunFolder(config.out, () => pretrainInFolder(config, options));
}

/** {@linkcode pretrain} once its run folder is held. */
async function pretrainInFolder(
  config: PretrainConfig,
  options: PretrainOptions,
): Promise<PretrainResult> {
  const method = METHODS[config.method];
  if (method.views !== null && config.nViews !== method.views) {
    throw new UsageError(
      `--n-views is ${config.nViews}: expected ${method.views} with --method ${config.method} ` +
        "(its loss pairs two views)",
    );
  }
  const shown = options.source ? { ...config, data: "the source given" } : config;
  console.error(presetLine("pretrain", shown, {
    ...(config.method === "simclr" ? {} : { method: config.method }),
    ...trainingValues(config),
    temperature: config.temperature,
    "crop scale": `${config.cropMinScale}-1`,
    hue: config.hue,
    "blur sigma": blurSigmaRange(config.maxBlurSigma).map((s) => +s.toFixed(3)).join("-"),
  }));
  const parallelism = await startBackend(config, config.batchSize);
  const { dir, train, trainSplit, val, bank, queries } = await pretrainSplits(
    config,
    method.labels,
    options.source,
  );
  const steps = stepsPerEpoch(train.length, { batchSize: config.batchSize, dropLast: true });
  if (steps === 0) {
    throw new UsageError(
      `--batch-size is ${config.batchSize}: expected at most the ${train.length} training ` +
        `images of ${dir}`,
    );
  }
  const fullConfig = await writeRunConfig(config, dir, parallelism);

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
    hyperparameters: Object.fromEntries(
      Object.keys(method.hyperparameters).map((key) => [key, pick(config, key, NaN)]),
    ),
    totalSteps: config.epochs * steps,
  };
  const replica = await method.createReplica(methodConfig);
  const model = replica.model;
  const optimizer = new AdamW(model.parameters(), {
    lr: config.lr,
    weightDecay: config.weightDecay,
  });
  const imageBytes = train.imageSize * train.imageSize * 3;
  /** A replica's part of a batch: its images, the batch's view seed, and the batch's labels. */
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
    `pretraining ${trainSplit} of ${dir} (${train.length} images, ${steps} steps per epoch) ` +
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
        const seed = mixSeed(config.seed, epoch, step);
        const labels = method.labels ? batch.labels : null;
        const result = await trainer.step(config.batchSize, part(batch.pixels, seed, labels));
        options.progress?.({
          stage: "pretrain",
          epoch,
          epochs: config.epochs,
          step: step + 1,
          steps,
          value: result.loss,
        });
        return { ...result, images: config.nViews * config.batchSize };
      },
      validate: (epoch) => method.validate(replica, validationBatches(epoch), methodConfig),
      monitors: bank === null ? undefined : () =>
        onlineMonitors(replica.monitored, {
          bank,
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
      ...(options.progress ? { progress: false } : {}),
    });
    await writeRunReport(
      config.out,
      { title: `${method.title} pretraining (${config.preset} preset)`, config: fullConfig },
      "pretrainMetrics",
    );
    return { ...result, config };
  } finally {
    trainer.close();
    optimizer.dispose();
    model.dispose();
  }
}

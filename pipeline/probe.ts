// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import type { ImageSource } from "@simclr/datasets";
import {
  accuracy,
  confusionMatrix,
  type ExtractedFeatures,
  extractFeatures,
  knnClassify,
  linearProbe,
  perClassAccuracy,
  probeCurveSpec,
  type ProbeResults,
  probeSizes,
  TUTORIAL_PROBE_ACCURACY,
  TUTORIAL_PROBE_SIZES,
  writeChart,
  writeEmbeddingMap,
  writeNeighbourGrid,
} from "@simclr/eval";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { sha256Hex } from "@simclr/internal/sha256";
import { writeFileAtomic, writeJsonAtomic } from "@simclr/internal/write-atomic";
import { type Encoder, type EncoderConfig, loadEncoder, ResNetEncoder } from "@simclr/models";
import { type CommandSpec, withFlagDefaults } from "./flag.ts";
import { labelledSplit, openData } from "./open_data.ts";
import type { PipelineProgress } from "./progress.ts";
import { BACKEND_FLAG, DATA_FLAGS } from "./run_settings.ts";
import { UsageError } from "./usage_error.ts";

/** `deno task probe`: its description and flags, each a field of {@linkcode ProbeConfig}. */
export const PROBE_COMMAND: CommandSpec = {
  name: "probe",
  description:
    "Linear probe (logistic regression on frozen features) and kNN accuracy of an encoder.",
  flags: [
    {
      name: "weights",
      type: "string",
      help: "Checkpoint: ours (.safetensors) or the tutorial's SimCLR.ckpt",
    },
    { name: "random-init", type: "boolean", help: "Probe a randomly initialised encoder instead" },
    DATA_FLAGS[0],
    { name: "out", type: "string", help: "Output folder", default: "runs/probe" },
    {
      name: "sizes",
      type: "string",
      help: "Images per class, comma-separated (default: the tutorial's that fit)",
    },
    {
      name: "width",
      type: "integer",
      min: 1,
      help: "ResNet base width (overrides the checkpoint's)",
    },
    {
      name: "hidden-dim",
      type: "integer",
      min: 1,
      help: "Projection size (recorded only: the probe uses the encoder's features)",
    },
    {
      name: "stem",
      type: "string",
      choices: ["imagenet", "cifar"],
      help: "ResNet stem (overrides the checkpoint's)",
    },
    {
      name: "image-size",
      type: "integer",
      min: 8,
      help: "Encoder input size (default: checkpoint's, else the data's)",
    },
    { name: "epochs", type: "integer", min: 1, help: "Logistic-regression epochs", default: 100 },
    {
      name: "batch-size",
      type: "integer",
      min: 1,
      help: "Batch size (encoding, probe)",
      default: 64,
    },
    { name: "lr", type: "number", min: 0, help: "Probe learning rate", default: 1e-3 },
    { name: "weight-decay", type: "number", min: 0, help: "Probe weight decay", default: 1e-3 },
    {
      name: "knn-k",
      type: "integer",
      min: 1,
      help: "Neighbours of the kNN classifier",
      default: 200,
    },
    { name: "seed", type: "integer", help: "Seed (random init, probe)", default: DEFAULT_SEED },
    { name: "cache", type: "string", help: "Feature cache folder", default: ".cache/features" },
    BACKEND_FLAG,
    ...DATA_FLAGS.slice(1),
  ],
};

/** What a probe runs with (every flag of `deno task probe`). */
export interface ProbeConfig {
  /** The checkpoint to probe, or `null` with `randomInit`. */
  weights: string | null;
  /** Probe an untrained encoder (`width`, `stem`, `seed`) instead of a checkpoint. */
  randomInit: boolean;
  /** An `stl10_binary` folder or an image folder, or `null` for the demo data. */
  data: string | null;
  /** Image folders: side the images are stored at (`null`: max(96, imageSize)). */
  sourceSize: number | null;
  /** Image folders: skip files that fail to decode. */
  skipBroken: boolean;
  /** Image folders: the folder of the decoded-image cache (`null`: `.cache/image-folders`). */
  imageCache: string | null;
  /** Output folder. */
  out: string;
  /** Images per class; `null`: the tutorial's sizes that the data can fill. */
  sizes: number[] | null;
  /** ResNet width: overrides the checkpoint's (a random encoder's: default 64). */
  width?: number;
  /** ResNet stem: overrides the checkpoint's (a random encoder's: default imagenet). */
  stem?: "imagenet" | "cifar";
  /** Encoder input size (default: the checkpoint's, else the data's image side). */
  imageSize?: number;
  /** Recorded with the results; the probe uses the encoder's features, not the head's. */
  hiddenDim?: number;
  /** Logistic-regression epochs. */
  epochs: number;
  /** Batch size of encoding and of the probe. */
  batchSize: number;
  /** The probe's learning rate. */
  lr: number;
  /** The probe's weight decay. */
  weightDecay: number;
  /** Neighbours of the kNN classifier. */
  knnK: number;
  /** Seed of the random encoder and of the probe. */
  seed: number;
  /** Feature cache folder. */
  cache: string;
  /** The tfjs backend. */
  backend: BackendRequest;
}

/** What {@linkcode probe} measured. */
export interface ProbeRun {
  /** Probe accuracy by images per class. */
  results: ProbeResults;
  /** kNN test accuracy on all training features. */
  knn: number;
  /** The encoder's configuration, with the image size it was probed at. */
  config: EncoderConfig & { imageSize: number };
  /** The output folder. */
  out: string;
  /** The pictures of the features: the embedding map (SVG; a PNG beside it) and the neighbour grid. */
  pictures: { embeddingMap: string; neighbours: string };
  /** The data set's name (`STL10` when its classes are STL10's; see `dataSetName`). */
  dataset: string;
}

/** What {@linkcode probe} takes: any fields of {@linkcode ProbeConfig} (`sizes` also as `"10,50"`). */
export type ProbeOptions = Partial<Omit<ProbeConfig, "sizes">> & {
  /** Images per class, as numbers or as the flag's comma-separated text. */
  sizes?: number[] | string | null;
  /** Called after each probe size instead of drawing the terminal's progress bars. */
  progress?: PipelineProgress;
};

/**
 * A complete {@linkcode ProbeConfig} from options: each absent field takes its flag's default.
 *
 * @param options Fields of the config (camelCase flags).
 * @returns The config.
 *
 * @example
 * ```ts
 * import { resolveProbeConfig } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const config = resolveProbeConfig({ randomInit: true, sizes: "10,50" });
 * assert.deepEqual([config.sizes, config.knnK, config.out], [[10, 50], 200, "runs/probe"]);
 * ```
 */
export function resolveProbeConfig(options: ProbeOptions = {}): ProbeConfig {
  const { progress: _, ...rest } = options;
  const given = withFlagDefaults(PROBE_COMMAND.flags, rest);
  return {
    ...given,
    weights: given.weights ?? null,
    randomInit: given.randomInit ?? false,
    data: given.data ?? null,
    sourceSize: given.sourceSize ?? null,
    skipBroken: given.skipBroken ?? false,
    imageCache: given.imageCache ?? null,
    sizes: typeof given.sizes === "string" ? parseSizes(given.sizes) : given.sizes ?? null,
  } as ProbeConfig;
}

/** The encoder to probe: loaded from the checkpoint, or untrained. */
async function probedEncoder(
  config: ProbeConfig,
  dataImageSize: number,
): Promise<
  { encoder: Encoder; encoderConfig: EncoderConfig & { imageSize: number }; tag: string }
> {
  const overrides = {
    ...(config.width !== undefined ? { width: config.width } : {}),
    ...(config.stem !== undefined ? { stem: config.stem } : {}),
    ...(config.imageSize !== undefined ? { imageSize: config.imageSize } : {}),
  };
  if (config.weights === null) {
    const encoder = new ResNetEncoder({
      block: "basic",
      layers: [2, 2, 2, 2],
      width: config.width ?? 64,
      stem: config.stem ?? "imagenet",
      seed: config.seed,
    });
    const encoderConfig = {
      block: encoder.block,
      layers: [...encoder.layers] as EncoderConfig["layers"],
      width: encoder.width,
      stem: encoder.stem,
      imageSize: config.imageSize ?? dataImageSize,
    };
    return {
      encoder,
      encoderConfig,
      tag: `random-w${encoder.width}-${encoder.stem}-s${config.seed}`,
    };
  }
  const loaded = await loadEncoder(config.weights, overrides);
  const encoderConfig = { ...loaded.config, imageSize: loaded.config.imageSize ?? dataImageSize };
  const tag = `${loaded.digest.slice(0, 16)}-w${encoderConfig.width}-${encoderConfig.stem}`;
  return { encoder: loaded.encoder, encoderConfig, tag };
}

/**
 * Runs the probe: encodes the labelled splits, trains the logistic regressions, measures kNN
 * and writes the results into `config.out`.
 *
 * @param config The settings (see {@linkcode probeConfig} for the flags).
 * @returns The results and where they were written.
 */
export async function probe(options: ProbeOptions = {}): Promise<ProbeRun> {
  const config = resolveProbeConfig(options);
  const progress = options.progress;
  if ((config.weights === null) === !config.randomInit) {
    throw new UsageError("pass exactly one of --weights CKPT and --random-init");
  }
  const backend = await selectBackend(config.backend);
  const data = await openData({ ...config, imageSize: config.imageSize });
  const dataDir = data.dir;
  const train = await labelledSplit(data, "train");
  const test = await labelledSplit(data, "test");
  let sizes: number[];
  try {
    sizes = probeSizes(train.labels()!, config.sizes ?? undefined);
  } catch (error) {
    throw new UsageError(`--sizes: ${(error as Error).message.replace(/^probeSizes\(\): /, "")}`);
  }
  if (config.sizes === null && sizes.length < TUTORIAL_PROBE_SIZES.length) {
    console.error(`the smallest class allows ${sizes.join(", ")} images per class`);
  }
  await Deno.mkdir(config.out, { recursive: true });

  const { encoder, encoderConfig, tag } = await probedEncoder(config, train.imageSize);
  const source = data.dataSet.format === "stl10" ? "" : `-${train.imageSize}`;
  const dataTag = (await sha256Hex(await Deno.realPath(dataDir) + source)).slice(0, 12);
  const encode = (split: ImageSource, name: string) => {
    console.error(`encoding ${name}: ${split.length} images at ${encoderConfig.imageSize} px`);
    return extractFeatures(encoder, split, {
      batchSize: config.batchSize,
      imageSize: encoderConfig.imageSize,
      cacheDir: config.cache,
      cacheKey: `${tag}-${encoderConfig.imageSize}px-${dataTag}-${name}`,
      ...(progress ? { progress: false } : {}),
    });
  };
  let trainFeatures: ExtractedFeatures | undefined;
  let testFeatures: ExtractedFeatures | undefined;
  try {
    trainFeatures = await encode(train, "train");
    testFeatures = await encode(test, "test");
    encoder.dispose();

    const classNames = train.classNames;
    const dataset = data.name;
    let details: Record<string, unknown> = {};
    const results = await linearProbe(trainFeatures, testFeatures, {
      sizes,
      epochs: config.epochs,
      lr: config.lr,
      weightDecay: config.weightDecay,
      batchSize: config.batchSize,
      seed: config.seed,
      numClasses: classNames.length,
      onSize: (size, result) => {
        progress?.({
          stage: "probe",
          epoch: 0,
          epochs: 1,
          step: sizes.indexOf(size) + 1,
          steps: sizes.length,
          value: result.testAccuracy,
        });
        console.error(
          `${String(size).padStart(4)} images per class: train ${pct(result.trainAccuracy)}, ` +
            `test ${pct(result.testAccuracy)} (best epoch ${result.bestEpoch + 1})`,
        );
        if (size !== Math.max(...sizes)) return;
        const { testPredictions: predicted } = result;
        details = {
          size,
          classNames,
          perClassAccuracy: perClassAccuracy(predicted, testFeatures!.labels, classNames.length),
          confusionMatrix: confusionMatrix(predicted, testFeatures!.labels, classNames.length),
        };
      },
    });
    const k = Math.min(config.knnK, trainFeatures.labels.length);
    const knnPredicted = await knnClassify(
      trainFeatures.features,
      trainFeatures.labels,
      testFeatures.features,
      { k, numClasses: classNames.length },
    );
    const knn = accuracy(knnPredicted, testFeatures.labels);
    console.error(`kNN (k = ${k}, cosine, T = 0.07): test ${pct(knn)}`);

    const encoderName = config.randomInit
      ? `random init (width ${encoderConfig.width})`
      : config.weights!;
    await writeJsonAtomic(`${config.out}/config.json`, {
      command: "probe",
      ...config,
      data: dataDir,
      sizes,
      backendInUse: backend.name,
      device: backend.device,
      encoder: encoderConfig,
    });
    await writeJsonAtomic(`${config.out}/probe.json`, {
      dataset,
      results,
      knn: { k, temperature: 0.07, test: knn },
      encoder: {
        name: encoderName,
        ...encoderConfig,
        hiddenDim: config.hiddenDim ?? encoderConfig.hiddenDim ?? null,
        featureDim: trainFeatures.features.shape[1],
      },
      details,
    });
    const md = probeMarkdown(results, knn, k, encoderName, dataset);
    await writeFileAtomic(`${config.out}/probe.md`, md);
    await writeChart(
      `${config.out}/probe`,
      probeCurveSpec(results, {
        label: config.randomInit ? "random init" : "this run",
        dataset,
      }),
    );
    const pictures = {
      embeddingMap: `${config.out}/embedding.svg`,
      neighbours: `${config.out}/neighbours.png`,
    };
    await writeEmbeddingMap(`${config.out}/embedding`, testFeatures, classNames, {
      seed: config.seed,
      title: `UMAP of the test split's features (${encoderName.split("/").at(-1)})`,
    });
    await writeNeighbourGrid(
      pictures.neighbours,
      { ...trainFeatures, images: train },
      { ...testFeatures, images: test },
      { seed: config.seed },
    );
    console.log(md);
    console.error(
      `wrote ${config.out}/probe.json, probe.md, probe.svg, probe.png, embedding.svg, ` +
        `embedding.png, neighbours.png`,
    );
    return { results, knn, config: encoderConfig, out: config.out, pictures, dataset };
  } finally {
    encoder.dispose();
    tf.dispose([trainFeatures?.features, testFeatures?.features].filter((t) => t !== undefined));
  }
}

/** The probe table as Markdown: on STL10 beside the tutorial's numbers. */
function probeMarkdown(
  results: ProbeResults,
  knn: number,
  k: number,
  encoderName: string,
  dataset: string,
): string {
  const onSTL10 = dataset === "STL10";
  const lines = [
    `# Linear probe on ${dataset}: ${encoderName}`,
    "",
    `| images per class | test | train |${onSTL10 ? " tutorial test |" : ""}`,
    `| ---: | ---: | ---: |${onSTL10 ? " ---: |" : ""}`,
  ];
  for (const [size, { train, test }] of Object.entries(results)) {
    const reference = TUTORIAL_PROBE_ACCURACY[Number(size)];
    const tutorial = onSTL10 ? ` ${reference ? pct(reference) : "–"} |` : "";
    lines.push(`| ${size} | ${pct(test)} | ${pct(train)} |${tutorial}`);
  }
  lines.push("", `kNN (cosine, k = ${k}, T = 0.07) test accuracy: ${pct(knn)}`, "");
  return lines.join("\n");
}

function pct(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

/**
 * The `--sizes` flag: comma-separated images per class, or `null` when absent.
 *
 * @param text The flag's value.
 * @returns The sizes.
 *
 * @example
 * ```ts
 * import { parseSizes } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(parseSizes("10, 50"), [10, 50]);
 * ```
 */
export function parseSizes(text: string | undefined): number[] | null {
  if (text === undefined) return null;
  const sizes = text.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new UsageError(`--sizes is "${text}": expected positive integers separated by commas`);
  }
  return sizes;
}

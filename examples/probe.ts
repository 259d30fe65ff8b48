// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task probe`: the tutorial's linear probe of a pretrained encoder. Encodes the labelled
 * train and test splits once (features cached under `--cache`), trains a logistic regression on
 * 10, 20, 50, 100, 200 and 500 images per class, adds a k-nearest-neighbour accuracy, and
 * writes `probe.json`, `probe.md` (beside the tutorial's numbers), `probe.svg` and `probe.png`
 * into `--out`.
 *
 * ```sh
 * deno task probe -- --weights runs/pretrain/checkpoints/best.safetensors
 * deno task probe -- --weights SimCLR.ckpt --data data/stl10_binary    # the tutorial's own
 * deno task probe -- --random-init --width 64 --sizes 10,50              # what pretraining buys
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "@simclr/train";
import {
  loadSafetensors,
  loadTorchCheckpoint,
  type Module,
  type SimCLRNet,
  simclrNet,
} from "@simclr/models";
import { openSTL10 } from "@simclr/datasets";
import {
  accuracy,
  confusionMatrix,
  extractFeatures,
  knnClassify,
  type LabelledFeatures,
  linearProbe,
  perClassAccuracy,
  probeCurveSpec,
  type ProbeResults,
  TUTORIAL_PROBE_ACCURACY,
  writeChart,
} from "@simclr/eval";
import { type Flag, parseFlags, runMain, UsageError, writeJsonAtomic } from "./_cli.ts";
import { ensureDemoData } from "./_run.ts";

const TUTORIAL_SIZES = [10, 20, 50, 100, 200, 500];

const FLAGS: readonly Flag[] = [
  {
    name: "weights",
    type: "string",
    help: "Checkpoint: ours (.safetensors) or the tutorial's SimCLR.ckpt",
  },
  { name: "random-init", type: "boolean", help: "Probe a randomly initialised encoder instead" },
  {
    name: "data",
    type: "string",
    help: "STL10 folder (stl10_binary); default: generated demo data",
  },
  { name: "out", type: "string", help: "Output folder", default: "runs/probe" },
  {
    name: "sizes",
    type: "string",
    help: "Images per class, comma-separated",
    default: TUTORIAL_SIZES.join(","),
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
    help: "Projection size (overrides the checkpoint's)",
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
    help: "Batch size (encoding and probe)",
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
  { name: "seed", type: "integer", help: "Seed (random init, probe)", default: 42 },
  { name: "cache", type: "string", help: "Feature cache folder", default: ".cache/features" },
  {
    name: "backend",
    type: "string",
    choices: ["auto", "tensorflow", "webgpu", "wasm", "cpu"],
    help: "tfjs backend",
    default: "auto",
  },
];

/** The model configuration a probe runs with. */
interface EncoderConfig {
  width: number;
  hiddenDim: number;
  stem: "imagenet" | "cifar";
  imageSize: number;
}

/** What {@linkcode probe} wrote. */
export interface ProbeRun {
  /** Probe accuracy by images per class. */
  results: ProbeResults;
  /** kNN test accuracy on all training features. */
  knn: number;
  /** The encoder's configuration. */
  config: EncoderConfig;
  /** The output folder. */
  out: string;
}

/**
 * Runs the probe for command-line `args` (see `--help`).
 *
 * @param args The flags.
 * @returns The results and where they were written.
 */
export async function probe(args: string[]): Promise<ProbeRun> {
  const parsed = parseFlags(
    "probe",
    "Linear probe (logistic regression on frozen features) and kNN accuracy of an encoder.",
    FLAGS,
    args,
  );
  // Absent flags take their defaults.
  const flags = Object.fromEntries(
    FLAGS.map((f) => [f.name, parsed[f.name] ?? (f.name === "sizes" ? undefined : f.default)]),
  );
  const weights = flags.weights as string | undefined;
  const randomInit = flags["random-init"] === true;
  if ((weights === undefined) === !randomInit) {
    throw new UsageError("pass exactly one of --weights CKPT and --random-init");
  }
  const backend = await selectBackend(
    (flags.backend ?? "auto") as "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu",
  );
  const dataDir = (flags.data as string | undefined) ?? await ensureDemoData();
  const train = await openSTL10(dataDir, "train");
  const test = await openSTL10(dataDir, "test");
  for (const [name, split] of [["train", train], ["test", test]] as const) {
    if (split.length === 0) {
      throw new RangeError(
        `--data ${dataDir}: the ${name} split is empty: expected labelled images`,
      );
    }
  }
  const sizes = parseSizes(flags.sizes as string | undefined, train.labels()!);
  const out = (flags.out as string | undefined) ?? "runs/probe";
  await Deno.mkdir(out, { recursive: true });

  const { net, encoder, config, cacheTag } = await buildEncoder(weights, flags, train.imageSize);
  let trainFeatures: LabelledFeatures | undefined;
  let testFeatures: LabelledFeatures | undefined;
  try {
    const batchSize = flags["batch-size"] as number;
    const dataTag = (await sha256Hex(new TextEncoder().encode(await Deno.realPath(dataDir))))
      .slice(0, 12);
    const encode = (split: typeof train, name: string) => {
      console.error(`encoding ${name}: ${split.length} images at ${config.imageSize} px`);
      return extractFeatures(encoder, split, {
        batchSize,
        sourceSize: split.imageSize,
        imageSize: config.imageSize,
        cacheDir: flags.cache as string,
        cacheKey: `${cacheTag}-${config.imageSize}px-${dataTag}-${name}`,
      });
    };
    trainFeatures = await encode(train, "train");
    testFeatures = await encode(test, "test");
    net.dispose();

    const classNames = train.classNames;
    let details: Record<string, unknown> = {};
    const results = await linearProbe(trainFeatures, testFeatures, {
      sizes,
      epochs: flags.epochs as number,
      lr: flags.lr as number,
      weightDecay: flags["weight-decay"] as number,
      batchSize,
      seed: flags.seed as number,
      numClasses: classNames.length,
      onSize: async (size, result) => {
        console.error(
          `${String(size).padStart(4)} images per class: train ${pct(result.trainAccuracy)}, test ${
            pct(result.testAccuracy)
          } (best epoch ${result.bestEpoch + 1})`,
        );
        if (size !== Math.max(...sizes)) return;
        const predictions = tf.tidy(() => {
          const w = tf.tensor2d(result.weight, [
            trainFeatures!.features.shape[1],
            classNames.length,
          ]);
          return tf.argMax(
            tf.add(tf.matMul(testFeatures!.features, w), tf.tensor1d(result.bias)),
            1,
          );
        });
        const predicted = await predictions.data();
        predictions.dispose();
        details = {
          size,
          classNames,
          perClassAccuracy: perClassAccuracy(predicted, testFeatures!.labels, classNames.length),
          confusionMatrix: confusionMatrix(predicted, testFeatures!.labels, classNames.length),
        };
      },
    });
    const knnK = flags["knn-k"] as number;
    const knnPredicted = await knnClassify(
      trainFeatures.features,
      trainFeatures.labels,
      testFeatures.features,
      {
        k: knnK,
        numClasses: classNames.length,
      },
    );
    const knn = accuracy(knnPredicted, testFeatures.labels);
    console.error(
      `kNN (k = ${Math.min(knnK, trainFeatures.labels.length)}, cosine, T = 0.07): test ${
        pct(knn)
      }`,
    );

    const encoderName = randomInit ? `random init (width ${config.width})` : weights!;
    await writeJsonAtomic(`${out}/config.json`, {
      command: "probe",
      weights: weights ?? null,
      randomInit,
      data: dataDir,
      backend: backend.name,
      device: backend.device,
      encoder: config,
      sizes,
      epochs: flags.epochs,
      batchSize,
      lr: flags.lr,
      weightDecay: flags["weight-decay"],
      seed: flags.seed,
    });
    await writeJsonAtomic(`${out}/probe.json`, {
      results,
      knn: { k: Math.min(knnK, trainFeatures.labels.length), temperature: 0.07, test: knn },
      encoder: { name: encoderName, ...config, featureDim: trainFeatures.features.shape[1] },
      details,
    });
    const md = probeMarkdown(
      results,
      knn,
      Math.min(knnK, trainFeatures.labels.length),
      encoderName,
    );
    const mdTemp = `${out}/probe.md.${crypto.randomUUID().slice(0, 8)}.tmp`;
    await Deno.writeTextFile(mdTemp, md);
    await Deno.rename(mdTemp, `${out}/probe.md`);
    await writeChart(
      `${out}/probe`,
      probeCurveSpec(results, { label: randomInit ? "random init" : "this run" }),
    );
    console.log(md);
    console.error(`wrote ${out}/probe.json, probe.md, probe.svg, probe.png`);
    return { results, knn, config, out };
  } finally {
    net.dispose();
    tf.dispose([trainFeatures?.features, testFeatures?.features].filter((t) => t !== undefined));
  }
}

/** The probe table beside the tutorial's numbers, as Markdown. */
function probeMarkdown(
  results: ProbeResults,
  knn: number,
  k: number,
  encoderName: string,
): string {
  const lines = [
    `# Linear probe: ${encoderName}`,
    "",
    "| images per class | test | train | tutorial test |",
    "| ---: | ---: | ---: | ---: |",
  ];
  for (const [size, { train, test }] of Object.entries(results)) {
    const reference = TUTORIAL_PROBE_ACCURACY[Number(size)];
    lines.push(`| ${size} | ${pct(test)} | ${pct(train)} | ${reference ? pct(reference) : "–"} |`);
  }
  lines.push("", `kNN (cosine, k = ${k}, T = 0.07) test accuracy: ${pct(knn)}`, "");
  return lines.join("\n");
}

function pct(value: number): string {
  return `${(100 * value).toFixed(2)}%`;
}

/** `--sizes` checked against the classes; without the flag, the tutorial's sizes that fit. */
function parseSizes(flag: string | undefined, labels: Int32Array): number[] {
  const counts = new Map<number, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  const smallest = Math.min(...counts.values());
  if (flag === undefined) {
    let fit = TUTORIAL_SIZES.filter((s) => s <= smallest);
    if (fit.length === 0) fit = [smallest];
    if (fit.length < TUTORIAL_SIZES.length) {
      console.error(
        `the smallest class has ${smallest} training images: probing ${fit.join(", ")} per class`,
      );
    }
    return fit;
  }
  const sizes = flag.split(",").map((s) => s.trim()).filter((s) => s !== "").map(Number);
  if (sizes.length === 0 || sizes.some((s) => !Number.isInteger(s) || s < 1)) {
    throw new UsageError(`--sizes must be positive integers separated by commas, got "${flag}"`);
  }
  const poorest = [...counts].sort((a, b) => a[0] - b[0]).find(([, n]) => n === smallest)![0];
  for (const size of sizes) {
    if (size > smallest) {
      throw new UsageError(
        `--sizes contains ${size} but class ${poorest} has only ${smallest} training images: expected sizes of at most ${smallest}`,
      );
    }
  }
  return sizes;
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Builds the encoder: random, from our safetensors checkpoint, or from a PyTorch checkpoint. */
async function buildEncoder(
  weights: string | undefined,
  flags: Record<string, unknown>,
  dataImageSize: number,
): Promise<{ net: SimCLRNet; encoder: Module; config: EncoderConfig; cacheTag: string }> {
  const seed = flags.seed as number;
  const pick = (saved: Record<string, unknown>): EncoderConfig => ({
    width: (flags.width ?? saved.width ?? 64) as number,
    hiddenDim: (flags["hidden-dim"] ?? saved.hiddenDim ?? 128) as number,
    stem: (flags.stem ?? saved.stem ?? "imagenet") as "imagenet" | "cifar",
    imageSize: (flags["image-size"] ?? saved.imageSize ?? dataImageSize) as number,
  });
  if (weights === undefined) {
    const config = pick({});
    const net = simclrNet({ ...config, seed });
    const tag = `random-w${config.width}-h${config.hiddenDim}-${config.stem}-s${seed}`;
    return { net, encoder: net.encoder, config, cacheTag: tag };
  }
  const bytes = await Deno.readFile(weights);
  const hash = (await sha256Hex(bytes)).slice(0, 16);
  let stateDict: Map<string, tf.Tensor>;
  let saved: Record<string, unknown> = {};
  if (bytes[0] === 0x50 && bytes[1] === 0x4b || bytes[0] === 0x80) {
    // A PyTorch checkpoint: zip ("PK") or legacy pickle. The tutorial's stores hidden_dim.
    const checkpoint = await loadTorchCheckpoint(bytes);
    stateDict = checkpoint.stateDict;
    const hp = checkpoint.hyperParameters;
    if (typeof hp.hidden_dim === "number") saved.hiddenDim = hp.hidden_dim;
    saved.imageSize = 96;
  } else {
    const file = await loadSafetensors(weights);
    stateDict = file.tensors;
    if (file.metadata.config) {
      try {
        saved = JSON.parse(file.metadata.config);
      } catch {
        throw new TypeError(`--weights ${weights}: metadata "config" is not JSON`);
      }
    }
  }
  const keys = [...stateDict.keys()];
  const prefix = ["convnet.", "model.", "net.", ""].find((p) =>
    keys.some((k) => k === `${p}conv1.weight`)
  );
  if (prefix === undefined) {
    tf.dispose([...stateDict.values()]);
    throw new UsageError(
      `--weights ${weights} has no "conv1.weight" (also under the prefixes convnet., model., net.): not a ResNet checkpoint`,
    );
  }
  // What the tensors' shapes say, below the flags and the saved config.
  const conv1 = stateDict.get(`${prefix}conv1.weight`)!.shape; // [width, 3, k, k]
  const head = stateDict.get(`${prefix}fc.2.weight`)?.shape; // [hiddenDim, 4 * hiddenDim]
  const config = pick({
    width: conv1[0],
    stem: conv1[2] === 3 ? "cifar" : "imagenet",
    ...(head ? { hiddenDim: head[0] } : {}),
    ...saved,
  });
  const net = simclrNet({ ...config, seed });
  try {
    const hasHead = keys.some((k) => k.startsWith(`${prefix}fc.`));
    try {
      (hasHead ? net : net.encoder).loadStateDict(stateDict, { prefix, strict: true });
    } catch (error) {
      const detail = (error as Error).message.replace(/\s+/g, " ");
      throw new UsageError(
        `--weights ${weights} does not fit simclrNet(width ${config.width}, hiddenDim ${config.hiddenDim}, stem ${config.stem}) (its conv1.weight is [${conv1}]); drop or correct --width, --hidden-dim, --stem: ${
          detail.length > 300 ? `${detail.slice(0, 300)}…` : detail
        }`,
      );
    }
  } catch (error) {
    net.dispose();
    throw error;
  } finally {
    tf.dispose([...stateDict.values()]);
  }
  return {
    net,
    encoder: net.encoder,
    config,
    cacheTag: `${hash}-w${config.width}-${config.stem}`,
  };
}

if (import.meta.main) await runMain(async () => void await probe(Deno.args));

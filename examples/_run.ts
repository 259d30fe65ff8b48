// Copyright 2026 the simclr authors. MIT license.
// What the commands share: the shared flags, the presets, the demo data and the run folder.
import * as tf from "@tensorflow/tfjs-core";
import { type BackendRequest, selectBackend, type SelectedBackend } from "@simclr/backends";
import { DEMO_CLASS_NAMES, generateDemoData, STL10_CLASS_NAMES } from "@simclr/datasets";
import { type ReportContents, trainingCurvesSpec, writeChart, writeReport } from "@simclr/eval";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { writeJsonAtomic } from "@simclr/internal/write-atomic";
import { type Flag, type Flags, UsageError } from "./_cli.ts";
import type { Method } from "./_methods_replica.ts";

/** Flags every training command takes. */
export const SHARED_FLAGS: Flag[] = [
  { name: "data", type: "string", help: "An stl10_binary folder (default: the demo data set)" },
  { name: "out", type: "string", help: "Run folder for config, metrics, checkpoints, plots" },
  {
    name: "preset",
    type: "string",
    choices: ["demo", "tutorial"],
    help: "Defaults for every hyperparameter (default: demo; see the README for which data)",
  },
  { name: "epochs", type: "integer", min: 1, help: "Training epochs" },
  { name: "batch-size", type: "integer", min: 2, help: "Images per batch" },
  { name: "image-size", type: "integer", min: 8, help: "Side of the network's input in pixels" },
  { name: "width", type: "integer", min: 1, help: "ResNet base width (torchvision: 64)" },
  {
    name: "seed",
    type: "integer",
    default: DEFAULT_SEED,
    help: "Seed of init, data order and augmentation",
  },
  {
    name: "backend",
    type: "string",
    choices: ["auto", "tensorflow", "webgpu", "native", "wasm", "cpu"],
    default: "auto",
    help: "tfjs backend",
  },
  { name: "resume", type: "boolean", help: "Continue the run in --out from its last checkpoint" },
  {
    name: "extend",
    type: "boolean",
    help: "With --resume: change the run's length to --epochs on purpose (the learning-rate " +
      "schedule follows the new length from the next epoch)",
  },
  {
    name: "threads",
    type: "integer",
    min: 1,
    auto: true,
    default: "auto",
    help: "Threads of the wasm backend in each process (auto: the cores left per worker)",
  },
  {
    name: "workers",
    type: "integer",
    min: 1,
    auto: true,
    default: "auto",
    help: "Data-parallel replicas on CPU backends, exact InfoNCE (auto: one per core on wasm)",
  },
  {
    name: "accumulate",
    type: "integer",
    min: 1,
    default: 1,
    help: "Run each batch in this many chunks (gradient caching: large batches, less memory)",
  },
];

/**
 * Where a preset departs, for one method, from the values every method shares or from the
 * method's paper (each field absent: the shared value, else the paper's).
 */
export interface MethodPreset {
  epochs?: number;
  lr?: number;
  /** barlow, byol: the projector's hidden width per unit of `--width` (papers: 128, 64). */
  projectorPerWidth?: number;
  /** barlow: the weight of the off-diagonal term (paper: 0.0051). */
  lambda?: number;
  /** byol: the target network's decay rate at the first step (paper: 0.996). */
  tauBase?: number;
}

/** Hyperparameters of a preset. */
export interface Preset {
  name: string;
  epochs: number;
  batchSize: number;
  imageSize: number;
  width: number;
  hiddenDim: number;
  temperature: number;
  lr: number;
  weightDecay: number;
  stem: "imagenet" | "cifar";
  /** Smallest crop area of RandomResizedCrop (the tutorial: 0.08). */
  cropMinScale: number;
  /** Hue jitter of ColorJitter (the tutorial: 0.1). */
  hue: number;
  /** Largest sigma of GaussianBlur in pixels of the views; see {@linkcode blurSigmaRange}. */
  maxBlurSigma: number;
  /** Per-method departures (see {@linkcode MethodPreset}). */
  methods?: Partial<Record<Method, MethodPreset>>;
}

/**
 * `tutorial`: the tutorial's configuration (STL10, 96 px, ResNet-18, 500 epochs). `demo`: a
 * narrow ResNet-18 on small images that trains on the demo data in minutes on two CPU cores.
 * With so little training, the demo also crops less aggressively (from half the image, so that
 * most views show the shape, not only background) and jitters hue fully, so that colour is no
 * shortcut to telling the views apart. It blurs its 32 px views as the tutorial blurs 96 px
 * ones, in proportion (sigma up to 2/3 pixel, not 2): the tutorial's blur at 32 px wipes out
 * the stripes, dots and edges that tell the classes apart. Measured on the demo data (seed 42),
 * ten epochs lift the linear probe from 11.1% (random init) to 56.5% (mean over 10, 20 and 50
 * labels per class; chance is 10%); with the tutorial's blur in pixels, 26.5%.
 * For the other methods the demo keeps the step count (SupCon, on the labelled fifth of the
 * images, runs 50 epochs) and gives Barlow Twins a narrower projector with a stronger
 * redundancy term.
 */
export const PRESETS: Record<string, Preset> = {
  demo: {
    name: "demo",
    epochs: 10,
    batchSize: 64,
    imageSize: 32,
    width: 8,
    hiddenDim: 64,
    temperature: 0.1,
    lr: 2e-3,
    weightDecay: 1e-4,
    stem: "cifar",
    cropMinScale: 0.5,
    hue: 0.5,
    // The tutorial's blur in proportion to the image: sigma up to 2 pixels at 96 px is 2/3 at 32.
    maxBlurSigma: 2 / 3,
    methods: {
      // The labelled split is a fifth of the images: as many steps as the others (about 390).
      supcon: { epochs: 50 },
      // A narrower projector than the paper's 128 x width learns more here, and faster. With
      // 128 outputs, not 8192, the paper's lambda leaves them correlated (mean |c_ij| near
      // 0.5): a 10 times stronger redundancy term lifts the probe from 16.8% to 21.6%.
      barlow: { projectorPerWidth: 16, lambda: 0.05 },
    },
  },
  tutorial: {
    name: "tutorial",
    epochs: 500,
    batchSize: 256,
    imageSize: 96,
    width: 64,
    hiddenDim: 128,
    temperature: 0.07,
    lr: 5e-4,
    weightDecay: 1e-4,
    stem: "imagenet",
    cropMinScale: 0.08,
    hue: 0.1,
    maxBlurSigma: 2,
  },
};

/**
 * The range GaussianBlur draws its sigma from, given the largest: the tutorial's `(0.1, 2)`
 * scaled as a whole, so that a smaller view is blurred as much relative to its content.
 */
export function blurSigmaRange(maxBlurSigma: number): [number, number] {
  return [maxBlurSigma / 20, maxBlurSigma];
}

/** A flag's value, or `fallback` (the preset's) when it was not given. */
export function resolve<T>(flags: Flags, name: string, fallback: T): T {
  const value = flags[name];
  return value === undefined ? fallback : value as T;
}

/** The ResNet stem flag, shared by the commands that build a network. */
export const STEM_FLAG: Flag = {
  name: "stem",
  type: "string",
  choices: ["imagenet", "cifar"],
  help: "ResNet stem: imagenet (7x7 conv + max-pool) or cifar (3x3 conv)",
};

/** Settings every training command resolves the same way from the shared flags. */
export interface RunSettings {
  preset: string;
  /** Whether `--preset` was given (else the demo preset applies by default). */
  presetGiven: boolean;
  data: string | null;
  out: string;
  imageSize: number;
  width: number;
  stem: "imagenet" | "cifar";
  seed: number;
  backend: BackendRequest;
  resume: boolean;
  /** With `resume`: continue to a new number of epochs on purpose. */
  extend: boolean;
  threads: number | "auto";
  workers: number | "auto";
  accumulate: number;
}

/** The preset named by `--preset` (default `demo`) and the shared settings of `command`. */
export function runSettings(
  flags: Flags,
  command: string,
): { preset: Preset; settings: RunSettings } {
  const preset = PRESETS[resolve(flags, "preset", "demo")];
  const extend = resolve(flags, "extend", false);
  if (extend && !resolve(flags, "resume", false)) {
    throw new UsageError("--extend changes the length of a resumed run: expected --resume too");
  }
  return {
    preset,
    settings: {
      preset: preset.name,
      presetGiven: flags.preset !== undefined,
      data: resolve<string | null>(flags, "data", null),
      out: resolve(flags, "out", `runs/${command}-${preset.name}`),
      imageSize: resolve(flags, "image-size", preset.imageSize),
      width: resolve(flags, "width", preset.width),
      stem: resolve(flags, "stem", preset.stem),
      seed: resolve(flags, "seed", DEFAULT_SEED),
      backend: resolve<BackendRequest>(flags, "backend", "auto"),
      resume: resolve(flags, "resume", false),
      extend,
      threads: resolve<number | "auto">(flags, "threads", "auto"),
      workers: resolve<number | "auto">(flags, "workers", "auto"),
      accumulate: resolve(flags, "accumulate", 1),
    },
  };
}

/**
 * The first line a training command prints: the preset in use, whether it was asked for or
 * applies by default, the data, and the preset's key values as this run resolved them (flags
 * override the preset). The demo preset is tuned for the demo data, so applying it by default
 * to `--data` says so, and what to pass instead.
 *
 * @param command The command, e.g. `"pretrain"`.
 * @param settings The run's shared settings.
 * @param values The key values, in order, e.g. `{ epochs: 5, "batch size": 64 }`.
 * @returns One line.
 */
export function presetLine(
  command: string,
  settings: RunSettings,
  values: Record<string, string | number>,
): string {
  const how = settings.presetGiven ? "" : " (the default)";
  const data = settings.data ?? "the demo data";
  const shown = Object.entries(values).map(([k, v]) => `${k} ${v}`).join(", ");
  const hint = !settings.presetGiven && settings.data !== null
    ? "; the demo preset is tuned for the demo data: for other data pass --preset (tutorial " +
      "on STL10) or set --epochs, --lr, ... (see the README)"
    : "";
  return `${command}: ${settings.preset} preset${how} on ${data}: ${shown}${hint}`;
}

/** The key values every training command's first line shows, in order (see {@linkcode presetLine}). */
export function trainingValues(config: {
  epochs: number;
  batchSize: number;
  imageSize: number;
  width: number;
  stem: string;
  lr: number;
  weightDecay: number;
}): Record<string, string | number> {
  return {
    epochs: config.epochs,
    "batch size": config.batchSize,
    "image size": config.imageSize,
    width: config.width,
    stem: config.stem,
    lr: config.lr,
    "weight decay": config.weightDecay,
  };
}

/**
 * The name of a data set for titles and reports: `STL10` when its classes are STL10's (from
 * `class_names.txt`, or STL10's own files without one), `demo data` for the demo data set,
 * else its folder's name (the parent's for a folder named `stl10_binary`).
 *
 * @param dir The `--data` folder, or `null` for the demo data.
 * @param classNames The data set's class names (`openSTL10(...).classNames`).
 * @returns The name.
 */
export function dataSetName(dir: string | null, classNames: readonly string[]): string {
  const same = (names: readonly string[]) =>
    classNames.length === names.length && classNames.every((c, i) => c === names[i]);
  if (same(STL10_CLASS_NAMES)) return "STL10";
  if (dir === null || same(DEMO_CLASS_NAMES)) return "demo data";
  const parts = dir.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  const name = parts.at(-1) ?? dir;
  return name === "stl10_binary" && parts.length > 1 ? parts.at(-2)! : name;
}

/** Where the demo data set lives unless `SIMCLR_DEMO_DATA` says otherwise. */
export function demoDataDir(): string {
  // Versioned: a newer generator writes a new folder instead of reusing an old one.
  return Deno.env.get("SIMCLR_DEMO_DATA") ?? ".cache/demo-data-v3";
}

/** Generates the demo data set once (into a temporary folder, then renamed); returns its folder. */
export async function ensureDemoData(dir: string = demoDataDir()): Promise<string> {
  if (await nullIfMissing(Deno.stat(`${dir}/test_y.bin`))) return dir;
  console.error(`generating the demo data set in ${dir} (once)`);
  const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : ".";
  await Deno.mkdir(parent, { recursive: true });
  const temporary = await Deno.makeTempDir({ dir: parent, prefix: ".demo-data-" });
  await generateDemoData(temporary);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  await Deno.rename(temporary, dir);
  return dir;
}

/**
 * Creates the run folder and writes `config.json` (atomically): the run's settings with the
 * data folder in use, the backend, device and versions. Returns what it wrote.
 */
export async function writeRunConfig(
  config: RunSettings,
  dataDir: string,
  parallelism: Parallelism,
): Promise<Record<string, unknown>> {
  await Deno.mkdir(config.out, { recursive: true });
  const fullConfig = {
    ...config,
    data: dataDir,
    ...await runInfo(parallelism.backend),
    threadsInUse: parallelism.threads,
    workersInUse: parallelism.workers,
  };
  await writeJsonAtomic(`${config.out}/config.json`, fullConfig);
  return fullConfig;
}

/** Networks narrower than this train on one worker per core under `auto`, wider ones on threads. */
export const WORKERS_BELOW_WIDTH = 32;

/** The backend a training run uses, and how many threads and workers. */
export interface Parallelism {
  backend: SelectedBackend;
  /** wasm threads in each process (1 elsewhere). */
  threads: number;
  /** Data-parallel replicas (1: this process alone). */
  workers: number;
}

/**
 * Starts the run's backend and settles its threads and workers. `auto` follows one rule:
 * on a GPU backend (webgpu, tensorflow) one worker (the device is the parallelism). On the CPU
 * backends (wasm, cpu), a narrow network (width below {@linkcode WORKERS_BELOW_WIDTH}) gets one
 * worker per core: its convolutions are small, so the augmentation, element-wise ops and
 * BatchNorm that wasm threads leave on one core weigh most, and replicas parallelise them too.
 * A wider one gets one worker and every core as threads, which speed up its convolutions and
 * matrix products without the replicas' exchanges. Measured on two cores (images per second,
 * threads x workers): width 8 at 32 px 233 (2x1) against 343 (1x2); width 16, 117 against 154;
 * the full ResNet-18 at 32 px 88 against 67, at 96 px 20.3 against 17.7 (`deno task bench`).
 * Workers need at least one image each, and `--accumulate` above 1 means one worker.
 */
export async function startBackend(settings: RunSettings, batchSize: number): Promise<Parallelism> {
  const cores = navigator.hardwareConcurrency;
  const cpuWorkers = settings.accumulate > 1 || settings.width >= WORKERS_BELOW_WIDTH
    ? 1
    : Math.max(1, Math.min(cores, batchSize));
  const plannedWorkers = settings.workers === "auto" ? cpuWorkers : settings.workers;
  const threads = settings.threads === "auto"
    ? Math.max(1, Math.floor(cores / plannedWorkers))
    : settings.threads;
  const backend = await selectBackend(settings.backend, { threads });
  const onCpu = backend.name === "native" || backend.name === "wasm" || backend.name === "cpu";
  const workers = settings.workers === "auto" ? (onCpu ? cpuWorkers : 1) : settings.workers;
  if (workers > 1 && !onCpu) {
    throw new UsageError(
      `--workers is ${workers}: expected 1 on the ${backend.name} backend (workers are for CPUs)`,
    );
  }
  if (workers > batchSize) {
    throw new UsageError(`--workers is ${workers}: expected at most --batch-size (${batchSize})`);
  }
  if (workers > 1 && settings.accumulate > 1) {
    throw new UsageError(
      `--workers is ${workers} and --accumulate is ${settings.accumulate}: expected one of them to be 1`,
    );
  }
  if (workers > 1) console.error(`data-parallel: ${workers} workers x ${backend.threads} threads`);
  return { backend, threads: backend.threads, workers };
}

/** Backend, device and versions, for config.json. */
export async function runInfo(backend: SelectedBackend): Promise<Record<string, unknown>> {
  const root = JSON.parse(await Deno.readTextFile(new URL("../train/deno.json", import.meta.url)));
  return {
    backendInUse: backend.name,
    device: backend.device,
    versions: { simclr: root.version, deno: Deno.version.deno, tfjs: tf.version_core },
    startedAt: new Date().toISOString(),
  };
}

/** The records of a run's `metrics.jsonl` (none when the file does not exist). */
export async function readMetrics(path: string): Promise<Record<string, unknown>[]> {
  const text = await nullIfMissing(Deno.readTextFile(path));
  return (text ?? "").split("\n").filter((line) => line.trim() !== "").map((l) => JSON.parse(l));
}

/**
 * Writes a training run's plots and report into its folder: `curves.svg` and `curves.png`
 * (loss, accuracy, the online monitors and learning rate per epoch from `metrics.jsonl`) and
 * `report.html`.
 */
export async function writeRunReport(
  out: string,
  contents: ReportContents,
  metricsField: "pretrainMetrics" | "baselineMetrics",
): Promise<string> {
  const records = await readMetrics(`${out}/metrics.jsonl`);
  await writeChart(`${out}/curves`, trainingCurvesSpec(records));
  return await writeReport(out, { ...contents, [metricsField]: records });
}

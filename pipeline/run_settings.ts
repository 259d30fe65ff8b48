// Copyright 2026 the simclr authors. MIT license.
import type { BackendRequest } from "@simclr/backends";
import { DEFAULT_SEED } from "@simclr/internal/random";
import type { Flag } from "./flag.ts";
import { type Preset, PRESETS } from "./presets.ts";
import type { PipelineProgress } from "./progress.ts";
import { UsageError } from "./usage_error.ts";
import { pick } from "./_pick.ts";

/** The flags that open `--data` (every command that reads a data set takes them). */
export const DATA_FLAGS: readonly Flag[] = [
  {
    name: "data",
    type: "string",
    help: "An stl10_binary folder or an image folder (default: the demo data set)",
  },
  {
    name: "source-size",
    type: "integer",
    min: 8,
    help: "Image folders: side the images are stored at (default: max(96, --image-size); " +
      "STL10 ignores it)",
  },
  { name: "skip-broken", type: "boolean", help: "Image folders: skip files that fail to decode" },
  {
    name: "image-cache",
    type: "string",
    help: "Image folders: the folder of the decoded-image cache (default: .cache/image-folders)",
  },
];

/** `--backend`: every command that computes takes it. */
export const BACKEND_FLAG: Flag = {
  name: "backend",
  type: "string",
  choices: ["auto", "tensorflow", "webgpu", "native", "wasm", "cpu"],
  default: "auto",
  help: "tfjs backend (native: oneDNN's CPU kernels on wasm's tensors)",
};

/** Flags every training command takes. */
export const SHARED_FLAGS: readonly Flag[] = [
  DATA_FLAGS[0],
  { name: "out", type: "string", help: "Run folder for config, metrics, checkpoints, plots" },
  {
    name: "preset",
    type: "string",
    choices: Object.keys(PRESETS),
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
  BACKEND_FLAG,
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
  ...DATA_FLAGS.slice(1),
];

/** The ResNet stem flag, shared by the commands that build a network. */
export const STEM_FLAG: Flag = {
  name: "stem",
  type: "string",
  choices: ["imagenet", "cifar"],
  help: "ResNet stem: imagenet (7x7 conv + max-pool) or cifar (3x3 conv)",
};

/** Settings every training function resolves the same way (the shared flags, camelCase). */
export interface RunSettings {
  /** The preset's name. */
  preset: string;
  /** Whether a preset was asked for (else the demo preset applies by default). */
  presetGiven: boolean;
  /** The data folder, or `null` for the demo data. */
  data: string | null;
  /** The run folder. */
  out: string;
  /** Side of the network's input. */
  imageSize: number;
  /** ResNet base width. */
  width: number;
  /** ResNet stem. */
  stem: "imagenet" | "cifar";
  /** Seed of init, data order and augmentation. */
  seed: number;
  /** The tfjs backend. */
  backend: BackendRequest;
  /** Continue the run in `out` from its last checkpoint. */
  resume: boolean;
  /** With `resume`: continue to a new number of epochs on purpose. */
  extend: boolean;
  /** wasm threads per process, or `auto`. */
  threads: number | "auto";
  /** Data-parallel replicas, or `auto`. */
  workers: number | "auto";
  /** Chunks each batch runs in. */
  accumulate: number;
  /** Image folders: side the images are stored at (`null`: max(96, imageSize)). */
  sourceSize: number | null;
  /** Image folders: skip files that fail to decode. */
  skipBroken: boolean;
  /** Image folders: the folder of the decoded-image cache (`null`: `.cache/image-folders`). */
  imageCache: string | null;
}

/** What a caller may pass of {@linkcode RunSettings} (the rest from the preset and defaults). */
export type RunOptions = Partial<RunSettings> & {
  /** Called with the run's progress instead of the terminal's progress bar. */
  progress?: PipelineProgress;
};

/**
 * The preset named by `options.preset` (default `demo`) and the shared settings of a
 * `command`'s run: every absent field takes the preset's value or its flag's default.
 *
 * @param options The run's options (camelCase flags).
 * @param command The command, for the default run folder `runs/<command>-<preset>`.
 * @returns The preset and the settings.
 *
 * @example
 * ```ts
 * import { runSettings } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const { settings } = runSettings({ preset: "tutorial" }, "pretrain");
 * assert.equal(settings.out, "runs/pretrain-tutorial");
 * assert.equal(settings.imageSize, 96);
 * ```
 */
export function runSettings(
  options: RunOptions,
  command: string,
): { preset: Preset; settings: RunSettings } {
  const name = pick(options, "preset", "demo");
  const preset = Object.hasOwn(PRESETS, name) ? PRESETS[name] : undefined;
  if (preset === undefined) {
    throw new UsageError(
      `--preset is "${name}": expected one of ${Object.keys(PRESETS).join(", ")}`,
    );
  }
  const extend = pick(options, "extend", false);
  if (extend && !pick(options, "resume", false)) {
    throw new UsageError("--extend changes the length of a resumed run: expected --resume too");
  }
  return {
    preset,
    settings: {
      preset: preset.name,
      presetGiven: options.presetGiven ?? options.preset !== undefined,
      data: pick<string | null>(options, "data", null),
      out: pick(options, "out", `runs/${command}-${preset.name}`),
      imageSize: pick(options, "imageSize", preset.imageSize),
      width: pick(options, "width", preset.width),
      stem: pick(options, "stem", preset.stem),
      seed: pick(options, "seed", DEFAULT_SEED),
      backend: pick<BackendRequest>(options, "backend", "auto"),
      resume: pick(options, "resume", false),
      extend,
      threads: pick<number | "auto">(options, "threads", "auto"),
      workers: pick<number | "auto">(options, "workers", "auto"),
      accumulate: pick(options, "accumulate", 1),
      sourceSize: pick<number | null>(options, "sourceSize", null),
      skipBroken: pick(options, "skipBroken", false),
      imageCache: pick<string | null>(options, "imageCache", null),
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
 *
 * @example
 * ```ts
 * import { presetLine, runSettings } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const { settings } = runSettings({}, "pretrain");
 * assert.equal(
 *   presetLine("pretrain", settings, { epochs: 10 }),
 *   "pretrain: demo preset (the default) on the demo data: epochs 10",
 * );
 * ```
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

/**
 * The key values every training command's first line shows, in order (see
 * {@linkcode presetLine}).
 *
 * @param config The run's resolved config.
 * @returns The values by label.
 *
 * @example
 * ```ts
 * import { trainingValues } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const values = trainingValues({
 *   epochs: 5, batchSize: 8, imageSize: 16, width: 2, stem: "cifar", lr: 0.001, weightDecay: 0,
 * });
 * assert.equal(values["batch size"], 8);
 * ```
 */
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

// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { CheckpointError } from "@simclr/models/checkpoint-error";
import { loadSafetensors, type Safetensors } from "@simclr/models/load-safetensors";
import type { Module } from "@simclr/models/module";
import { encodeSafetensors } from "@simclr/models/save-safetensors";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { checkFileRecord, type FileRecord, fileRecord } from "@simclr/internal/file-record";
import { writeJsonAtomic, writeTemporary } from "@simclr/internal/write-atomic";
import { WriteError } from "@simclr/internal/write-error";
import type { AdamW } from "./adamw.ts";

/** The training state kept beside a checkpoint's weights (`<name>.json`). */
export interface TrainingState {
  /** Epochs completed (0-based index of the last one); with `inEpoch`, the epoch in progress. */
  epoch: number;
  /** Optimiser steps taken over the whole run. */
  globalStep: number;
  /** Learning rate of the last epoch. */
  lr: number;
  /** Value of the monitored metric at the best epoch so far, if any. */
  best: number | null;
  /** Epoch of that best value. */
  bestEpoch: number | null;
  /** The run's seed: with `epoch` and the step it determines data order and augmentations. */
  seed: number;
  /** Metrics of the epoch that wrote the checkpoint (`{}` in the middle of an epoch). */
  metrics: Record<string, number>;
  /** The run's configuration. */
  config: Record<string, unknown>;
  /**
   * Epochs the run trains in all, which its learning-rate schedule spans (absent in
   * checkpoints written before it was recorded; `config.epochs` then tells).
   */
  epochs?: number;
  /**
   * Present in a checkpoint written in the middle of `epoch` (when the run was interrupted):
   * the steps of it done and the sums its epoch record averages, so that a resumed run
   * continues the epoch exactly.
   */
  inEpoch?: InEpochState;
}

/** How far into its epoch a checkpoint written mid-epoch got. */
export interface InEpochState {
  /** Steps of the epoch done. */
  step: number;
  /** Sums over those steps of each recorded training metric (`train_loss`...). */
  sums: Record<string, number>;
  /** Images those steps processed. */
  images: number;
  /** Seconds they took. */
  seconds: number;
}

/** Options of {@linkcode saveCheckpoint}. */
export interface SaveCheckpointOptions {
  /**
   * Keep the checkpoint being replaced, when it verifies, under this name (e.g. `"previous"`),
   * replacing the one kept there before. The new checkpoint is complete and verified on disk
   * before anything is renamed, so a failed write (a full disk) leaves both as they were.
   */
  previous?: string;
}

/** Options of {@linkcode loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /**
   * The checkpoint to load instead (e.g. `"previous"`) when `name`'s is damaged (truncated, its
   * checksum differs, unreadable) or incomplete (its JSON missing, as after a crash while it was
   * replaced). A checkpoint that is whole but does not fit the model is an error either way.
   */
  fallback?: string;
  /** Where the line saying that the fallback was used goes. Default `console.error`. */
  log?: ((line: string) => void) | null;
}

/** The state {@linkcode loadCheckpoint} restored, and from which checkpoint. */
export interface LoadedState extends TrainingState {
  /** The checkpoint loaded: `<dir>/<name>`, or `<dir>/<fallback>`. */
  from: string;
}

/** The files of checkpoint `name` in `dir`, by role. */
function paths(dir: string, name: string) {
  return {
    weights: `${dir}/${name}.safetensors`,
    optimizer: `${dir}/${name}.optimizer.safetensors`,
    state: `${dir}/${name}.json`,
  };
}

/**
 * Writes `<dir>/<name>.safetensors` (the model's state dict, PyTorch layout, with the config in
 * its metadata as `config`), `<dir>/<name>.optimizer.safetensors` (AdamW moments) and, last,
 * `<dir>/<name>.json` (the training state, with the size and SHA-256 of both files). Both files
 * are written under temporary names, flushed to the device and read back to check them before
 * they are renamed into place, and the JSON is written last (atomically, flushed too): a
 * checkpoint with a JSON is complete, and its checksums tell a file damaged later (a crash of
 * the machine, a disk fault). A failed write throws a `WriteError` naming the file and leaves
 * the checkpoint that was there. With `options.previous`, the checkpoint being replaced is kept
 * under that name.
 *
 * @param dir Folder of the checkpoints (created when missing).
 * @param name Base name, e.g. `"last"` or `"best"`.
 * @param model The model whose weights and buffers are saved.
 * @param optimizer The optimiser whose state is saved.
 * @param state The training state.
 * @param options `previous`: the name to keep the replaced checkpoint under.
 * @returns The path of the weights file.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { resnet18 } from "@simclr/models";
 * import { AdamW, loadCheckpoint, saveCheckpoint } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const model = resnet18({ width: 4, numClasses: 2 });
 * const optimizer = new AdamW(model.parameters());
 * const dir = await Deno.makeTempDir();
 * const state = { epoch: 0, globalStep: 1, lr: 1e-3, best: null, bestEpoch: null, seed: 0, metrics: {}, config: {} };
 * await saveCheckpoint(dir, "last", model, optimizer, state);
 * await saveCheckpoint(dir, "last", model, optimizer, { ...state, epoch: 1, globalStep: 2 }, { previous: "previous" });
 * assert.equal((await loadCheckpoint(dir, "last", model, optimizer))?.globalStep, 2);
 * assert.equal((await loadCheckpoint(dir, "previous", model))?.globalStep, 1);
 * optimizer.dispose();
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  name: string,
  model: Module<tf.Tensor, tf.Tensor>,
  optimizer: AdamW,
  state: TrainingState,
  options: SaveCheckpointOptions = {},
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true }).catch((error) => {
    throw WriteError.from(dir, error) ?? error;
  });
  const target = paths(dir, name);
  const weights = model.stateDict();
  const { expAvg, expAvgSq, step } = optimizer.state();
  const moments = new Map<string, tf.Tensor>([
    ...[...expAvg].map(([k, t]) => [`exp_avg.${k}`, t] as const),
    ...[...expAvgSq].map(([k, t]) => [`exp_avg_sq.${k}`, t] as const),
  ]);
  let files: { weights: Uint8Array; optimizer: Uint8Array };
  try {
    const epoch = String(state.epoch);
    const globalStep = String(state.globalStep);
    files = {
      weights: await encodeSafetensors(weights, {
        config: JSON.stringify(state.config),
        epoch,
        globalStep,
      }),
      optimizer: await encodeSafetensors(moments, { step: String(step), epoch, globalStep }),
    };
  } finally {
    tf.dispose([...weights.values(), ...moments.values()]);
  }
  const records: Record<string, FileRecord> = {};
  const staged: [string, string][] = [];
  try {
    for (const role of ["weights", "optimizer"] as const) {
      const bytes = files[role];
      const record = await fileRecord(bytes);
      records[role] = record;
      const temporary = await writeTemporary(target[role], bytes, { sync: true });
      staged.push([temporary, target[role]]);
      const back = await Deno.readFile(temporary);
      if (await checkFileRecord(temporary, back, record, "memory") !== null) {
        throw new WriteError(
          target[role],
          "EIO",
          `${back.length} bytes read back differ from the ${record.bytes} written`,
        );
      }
    }
    if (options.previous !== undefined) await keepAs(dir, name, options.previous);
    for (const [temporary, path] of staged) {
      await Deno.rename(temporary, path).catch((error) => {
        throw WriteError.from(path, error) ?? error;
      });
    }
    staged.length = 0;
    await writeJsonAtomic(target.state, { ...state, files: records }, { sync: true });
  } finally {
    for (const [temporary] of staged) await Deno.remove(temporary).catch(() => {});
  }
  return target.weights;
}

/**
 * Renames checkpoint `name` to `previous` when it is complete and verifies (else leaves
 * `previous` alone: the damaged one is about to be overwritten). The old `previous` JSON goes
 * first, the new one last, so that a crash in between leaves no JSON over mixed files.
 */
async function keepAs(dir: string, name: string, previous: string): Promise<void> {
  try {
    const read = await readCheckpoint(dir, name, true, false);
    if (read === null) return;
  } catch (error) {
    if (error instanceof CheckpointError) return;
    throw error;
  }
  const from = paths(dir, name);
  const to = paths(dir, previous);
  const move = async (a: string, b: string) => {
    await Deno.rename(a, b).catch((error) => {
      throw WriteError.from(b, error) ?? error;
    });
  };
  await Deno.remove(to.state).catch((error) => {
    if (!(error instanceof Deno.errors.NotFound)) throw WriteError.from(to.state, error) ?? error;
  });
  await move(from.weights, to.weights);
  await move(from.optimizer, to.optimizer);
  await move(from.state, to.state);
}

/** A checkpoint's files, read and verified against its JSON; `null` when it has no JSON. */
interface ReadCheckpoint {
  state: TrainingState;
  weights: Safetensors | null;
  moments: Safetensors | null;
}

/**
 * Reads checkpoint `name`: its JSON, then each file, checked against the size and SHA-256 the
 * JSON records (when it does), then parsed (`parse`). Anything damaged or missing is a
 * {@linkcode CheckpointError} naming the file; no JSON is `null`.
 */
async function readCheckpoint(
  dir: string,
  name: string,
  withOptimizer: boolean,
  parse = true,
): Promise<ReadCheckpoint | null> {
  const at = paths(dir, name);
  const text = await nullIfMissing(Deno.readTextFile(at.state));
  if (text === null) return null;
  let state: TrainingState & { files?: Record<string, FileRecord> };
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `checkpoint ${at.state} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const { files, ...rest } = state;
  const read: ReadCheckpoint = { state: rest, weights: null, moments: null };
  try {
    for (const role of withOptimizer ? ["weights", "optimizer"] as const : ["weights"] as const) {
      const path = at[role];
      const bytes = await nullIfMissing(Deno.readFile(path));
      if (bytes === null) {
        throw new CheckpointError(`checkpoint ${path} is missing (${at.state} names it)`);
      }
      const record = files?.[role];
      const damage = record && await checkFileRecord(path, bytes, record, at.state);
      if (damage) throw new CheckpointError(damage);
      if (!parse) continue;
      const file = await loadSafetensors(bytes).catch((error) => {
        throw new CheckpointError(`checkpoint ${path} is damaged: ${error.message}`, {
          cause: error,
        });
      });
      if (role === "weights") read.weights = file;
      else read.moments = file;
      for (const [key, expected] of [["epoch", rest.epoch], ["globalStep", rest.globalStep]]) {
        const found = file.metadata[key as string];
        if (found !== undefined && found !== String(expected)) {
          throw new CheckpointError(
            `checkpoint ${path} is from ${key} ${found}, but ${at.state} says ${expected}: ` +
              "the checkpoint was only partly written",
          );
        }
      }
    }
  } catch (error) {
    tf.dispose([...read.weights?.tensors.values() ?? [], ...read.moments?.tensors.values() ?? []]);
    throw error;
  }
  return read;
}

/**
 * Restores what {@linkcode saveCheckpoint} wrote into `model` and `optimizer`. Every file is
 * checked against the size and SHA-256 its JSON records before anything is loaded; with
 * `options.fallback`, a damaged or incomplete checkpoint gives way to that one (one line says
 * so), and when that one is no good either, the error names both.
 *
 * @param dir Folder of the checkpoints.
 * @param name Base name, e.g. `"last"`.
 * @param model Receives the weights and buffers (strict: every key must fit).
 * @param optimizer Receives the moments and step count, when given.
 * @param options `fallback`: the checkpoint to use when `name`'s is damaged; `log`.
 * @returns The training state and which checkpoint it came from, or `null` when no complete
 *   checkpoint of that name (or the fallback's) exists.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { resnet18 } from "@simclr/models";
 * import { AdamW, loadCheckpoint, saveCheckpoint } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const model = resnet18({ width: 2, numClasses: 2 });
 * const optimizer = new AdamW(model.parameters());
 * const dir = await Deno.makeTempDir();
 * const state = { epoch: 0, globalStep: 1, lr: 1e-3, best: null, bestEpoch: null, seed: 0, metrics: {}, config: {} };
 * await saveCheckpoint(dir, "last", model, optimizer, state);
 * await saveCheckpoint(dir, "last", model, optimizer, { ...state, epoch: 1 }, { previous: "previous" });
 * await Deno.truncate(`${dir}/last.safetensors`, 100); // a crash of the machine tore it
 * const lines: string[] = [];
 * const loaded = await loadCheckpoint(dir, "last", model, optimizer, { fallback: "previous", log: (l) => lines.push(l) });
 * assert.equal(loaded?.from, `${dir}/previous`);
 * assert.match(lines[0], /last\.safetensors is damaged: 100 bytes, expected \d+/);
 * optimizer.dispose();
 * model.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadCheckpoint(
  dir: string,
  name: string,
  model: Module<tf.Tensor, tf.Tensor>,
  optimizer?: AdamW,
  options: LoadCheckpointOptions = {},
): Promise<LoadedState | null> {
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const withOptimizer = optimizer !== undefined;
  const { fallback } = options;
  let read: ReadCheckpoint | null = null;
  let from = `${dir}/${name}`;
  let damage: CheckpointError | null = null;
  try {
    read = await readCheckpoint(dir, name, withOptimizer);
  } catch (error) {
    if (!(error instanceof CheckpointError) || fallback === undefined) throw error;
    damage = error;
  }
  if (read === null && fallback !== undefined) {
    const what = damage?.message ??
      `checkpoint ${from} is incomplete (no ${name}.json: interrupted while it was replaced)`;
    let previous: ReadCheckpoint | null;
    try {
      previous = await readCheckpoint(dir, fallback, withOptimizer);
    } catch (second) {
      if (!(second instanceof CheckpointError)) throw second;
      throw new CheckpointError(
        `${what}; the previous checkpoint is no good either: ${second.message}`,
        { cause: damage ?? second },
      );
    }
    if (previous === null && damage !== null) {
      throw new CheckpointError(
        `${damage.message}; there is no previous good checkpoint (${dir}/${fallback}.json) to ` +
          "fall back to",
        { cause: damage },
      );
    }
    if (previous !== null) {
      read = previous;
      from = `${dir}/${fallback}`;
      log?.(`${what}: using the previous good one, ${from} (${where(read.state)})`);
    }
  }
  if (read === null) return null;
  const { state, weights, moments } = read;
  try {
    try {
      model.loadStateDict(weights!.tensors);
    } catch (error) {
      throw new CheckpointError(
        `checkpoint ${from}.safetensors does not fit the model (was it written with ` +
          `other settings, e.g. --width or --stem?): ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (optimizer && moments) {
      const pick = (prefix: string) =>
        new Map(
          [...moments.tensors].filter(([k]) => k.startsWith(prefix)).map((
            [k, t],
          ) => [k.slice(prefix.length), t]),
        );
      optimizer.loadState({
        step: Number(moments.metadata.step),
        expAvg: pick("exp_avg."),
        expAvgSq: pick("exp_avg_sq."),
      });
    }
  } finally {
    tf.dispose([...weights?.tensors.values() ?? [], ...moments?.tensors.values() ?? []]);
  }
  return { ...state, from };
}

/** Where a checkpoint is in its run, for people: `epoch 2` or `epoch 3, step 5`. */
function where(state: TrainingState): string {
  return state.inEpoch
    ? `epoch ${state.epoch + 1}, step ${state.inEpoch.step}`
    : `end of epoch ${state.epoch + 1}`;
}

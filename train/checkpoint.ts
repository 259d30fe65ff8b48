// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { CheckpointError } from "@simclr/models/checkpoint-error";
import { loadSafetensors } from "@simclr/models/load-safetensors";
import type { Module } from "@simclr/models/module";
import { saveSafetensors } from "@simclr/models/save-safetensors";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { writeJsonAtomic } from "@simclr/internal/write-atomic";
import type { AdamW } from "./adamw.ts";

/** The training state kept beside a checkpoint's weights (`<name>.json`). */
export interface TrainingState {
  /** Epochs completed (0-based index of the last one). */
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
  /** Metrics of the epoch that wrote the checkpoint. */
  metrics: Record<string, number>;
  /** The run's configuration. */
  config: Record<string, unknown>;
  /**
   * Epochs the run trains in all, which its learning-rate schedule spans (absent in
   * checkpoints written before it was recorded; `config.epochs` then tells).
   */
  epochs?: number;
}

/**
 * Writes `<dir>/<name>.safetensors` (the model's state dict, PyTorch layout, with the config in
 * its metadata as `config`), `<dir>/<name>.optimizer.safetensors` (AdamW moments) and, last,
 * `<dir>/<name>.json` (the training state), each atomically (a temporary name, then a rename).
 * The JSON is written last so a checkpoint with a JSON is always complete.
 *
 * @param dir Folder of the checkpoints (created when missing).
 * @param name Base name, e.g. `"last"` or `"best"`.
 * @param model The model whose weights and buffers are saved.
 * @param optimizer The optimiser whose state is saved.
 * @param state The training state.
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
 * assert.equal((await loadCheckpoint(dir, "last", model, optimizer))?.globalStep, 1);
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
): Promise<string> {
  await Deno.mkdir(dir, { recursive: true });
  const weightsPath = `${dir}/${name}.safetensors`;
  const weights = model.stateDict();
  const { expAvg, expAvgSq, step } = optimizer.state();
  const moments = new Map<string, tf.Tensor>([
    ...[...expAvg].map(([k, t]) => [`exp_avg.${k}`, t] as const),
    ...[...expAvgSq].map(([k, t]) => [`exp_avg_sq.${k}`, t] as const),
  ]);
  try {
    const metadata = { config: JSON.stringify(state.config), epoch: String(state.epoch) };
    await saveSafetensors(weightsPath, weights, metadata);
    await saveSafetensors(`${dir}/${name}.optimizer.safetensors`, moments, {
      step: String(step),
      epoch: String(state.epoch),
    });
  } finally {
    tf.dispose([...weights.values(), ...moments.values()]);
  }
  await writeJsonAtomic(`${dir}/${name}.json`, state);
  return weightsPath;
}

/**
 * Restores what {@linkcode saveCheckpoint} wrote into `model` and `optimizer`.
 *
 * @param dir Folder of the checkpoints.
 * @param name Base name, e.g. `"last"`.
 * @param model Receives the weights and buffers (strict: every key must fit).
 * @param optimizer Receives the moments and step count, when given.
 * @returns The training state, or `null` when no complete checkpoint of that name exists.
 */
export async function loadCheckpoint(
  dir: string,
  name: string,
  model: Module<tf.Tensor, tf.Tensor>,
  optimizer?: AdamW,
): Promise<TrainingState | null> {
  const statePath = `${dir}/${name}.json`;
  const text = await nullIfMissing(Deno.readTextFile(statePath));
  if (text === null) return null;
  let state: TrainingState;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `checkpoint ${statePath} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const weights = await loadSafetensors(`${dir}/${name}.safetensors`);
  try {
    if (weights.metadata.epoch !== String(state.epoch)) {
      throw new CheckpointError(
        `checkpoint ${dir}/${name}.safetensors is from epoch ${weights.metadata.epoch}, but ` +
          `${statePath} says ${state.epoch}: the checkpoint was only partly written`,
      );
    }
    try {
      model.loadStateDict(weights.tensors);
    } catch (error) {
      throw new CheckpointError(
        `checkpoint ${dir}/${name}.safetensors does not fit the model (was it written with ` +
          `other settings, e.g. --width or --stem?): ${(error as Error).message}`,
        { cause: error },
      );
    }
  } finally {
    tf.dispose([...weights.tensors.values()]);
  }
  if (optimizer) {
    const saved = await loadSafetensors(`${dir}/${name}.optimizer.safetensors`);
    try {
      const pick = (prefix: string) =>
        new Map(
          [...saved.tensors].filter(([k]) => k.startsWith(prefix)).map((
            [k, t],
          ) => [k.slice(prefix.length), t]),
        );
      optimizer.loadState({
        step: Number(saved.metadata.step),
        expAvg: pick("exp_avg."),
        expAvgSq: pick("exp_avg_sq."),
      });
    } finally {
      tf.dispose([...saved.tensors.values()]);
    }
  }
  return state;
}

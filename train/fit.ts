// Copyright 2026 the simclr authors. MIT license.
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "cli-progress";
import process from "node:process";
import type * as tf from "@tensorflow/tfjs-core";
import type { Module } from "@simclr/models/module";
import { peakRssMiB } from "@simclr/internal/peak-rss";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import type { AdamW } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.ts";
import type { LRSchedule } from "./lr_schedule.ts";
import { NonFiniteLossError, type StepContext } from "./non_finite_loss_error.ts";
import type { StepResult } from "./train_step.ts";

export type { StepContext } from "./non_finite_loss_error.ts";

/** What a step of {@linkcode fit} reports: {@linkcode trainStep}'s result and the images used. */
export interface FitStepResult extends StepResult {
  /** Images the step processed, for the images-per-second rate. */
  images: number;
}

/** Options of {@linkcode fit}. */
export interface FitOptions<Batch> {
  /** The model; its `parameters()` are trained and its state dict is checkpointed. */
  model: Module<tf.Tensor, tf.Tensor>;
  /** The optimiser over `model.parameters()`. */
  optimizer: AdamW;
  /** Learning rate per epoch (set on the optimiser at the start of each epoch). */
  schedule?: LRSchedule;
  /** Epochs to train in all (a resumed run continues up to this). */
  epochs: number;
  /** Steps in one epoch (for the progress bar and the ETA). */
  stepsPerEpoch: number;
  /** The batches of an epoch; their order must depend only on the seed and the epoch. */
  batches: (epoch: number) => AsyncIterable<Batch>;
  /**
   * Trains on one batch: prepares its inputs (outside the gradient tape) and runs
   * {@linkcode trainStep} (or another optimisation step); returns its loss, metrics and image
   * count. Its randomness must depend only on the seed and the context.
   */
  step: (batch: Batch, context: StepContext) => Promise<FitStepResult>;
  /** Validation metrics after an epoch, e.g. `{ acc_top5: 0.93 }`, recorded as `val_<name>`. */
  validate?: (epoch: number) => Promise<Record<string, number>>;
  /**
   * Online monitors after a validation, e.g. `{ knn_top1: 0.41, embedding_std: 0.11 }`,
   * recorded under their own names (no prefix): run at the same epochs as `validate` (every
   * `validateEvery` epochs and after the last), after it.
   */
  monitors?: (epoch: number) => Promise<Record<string, number>>;
  /** Validate (and run the monitors) every k epochs (and after the last). Default 1. */
  validateEvery?: number;
  /** The recorded metric (e.g. `val_acc_top5`) that picks `best`, and whether higher is better. */
  monitor?: { metric: string; mode: "max" | "min" };
  /** Run folder: `metrics.jsonl` and `checkpoints/` go there. */
  outDir: string;
  /** Saved in every checkpoint (and its metadata). */
  config?: Record<string, unknown>;
  /** Seed of the run, recorded in the training state. Default 42. */
  seed?: number;
  /** Continue from `checkpoints/last` when it exists. Default false. */
  resume?: boolean;
  /** Write a step record to `metrics.jsonl` every this many steps. Default 10. */
  logEvery?: number;
  /** Show a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Where summary lines go. Default `console.error`; `null` for silence. */
  log?: ((line: string) => void) | null;
}

/** What {@linkcode fit} returns. */
export interface FitResult {
  /** Epochs completed, this run and any before a resume. */
  epochs: number;
  /** Optimiser steps over the whole run. */
  globalStep: number;
  /** Best value of the monitored metric and its epoch (null without a monitor). */
  best: { value: number; epoch: number } | null;
  /** Metrics of each epoch trained in this call. */
  history: Record<string, number>[];
  /** Paths of the `last` and (with a monitor) `best` weights. */
  checkpoints: { last: string; best: string | null };
}

/**
 * Trains a model: epochs of steps, the learning rate set per epoch from a schedule,
 * validation every `validateEvery` epochs, the `last` checkpoint after every epoch and the
 * `best` one by a monitored metric, a JSON line per logged step and per epoch in
 * `metrics.jsonl`, a progress bar with loss, rate and ETA, and a summary line per epoch.
 * `resume` continues from `checkpoints/last` (weights, optimiser, epoch, best).
 *
 * Metric names are the step's and the validation's, prefixed by their split: a step's `loss`
 * and `acc_top5` are recorded as `train_loss` and `train_acc_top5` (in step records, and
 * averaged over the epoch in epoch records), a validation's as `val_loss`, `val_acc_top5`.
 * The `monitors` callback's values (measures of the model rather than of a split, such as a kNN
 * accuracy) are recorded as they are named, beside the validation's.
 *
 * Data order and randomness must depend only on `(seed, epoch, step)` (the `batches` and
 * `step` callbacks get them), which is what makes a resumed run equal an uninterrupted one.
 *
 * @param options The model, optimiser, data, step and run settings.
 * @returns The epochs and steps done, the best metric, the history and checkpoint paths.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { resnet18 } from "@simclr/models";
 * import { AdamW, fit, trainStep } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = resnet18({ width: 2, numClasses: 2, stem: "cifar" });
 * const optimizer = new AdamW(model.parameters(), { lr: 1e-2 });
 * const images = tf.randomUniform([4, 8, 8, 3]) as tf.Tensor4D;
 * const labels = tf.oneHot([0, 1, 0, 1], 2);
 * const outDir = await Deno.makeTempDir();
 * const result = await fit({
 *   model,
 *   optimizer,
 *   epochs: 2,
 *   stepsPerEpoch: 1,
 *   batches: async function* () {
 *     yield { images, labels };
 *   },
 *   step: async (batch) => ({
 *     ...await trainStep(model, optimizer, () => ({
 *       loss: tf.losses.softmaxCrossEntropy(batch.labels, model.apply(batch.images, { training: true })) as tf.Scalar,
 *     })),
 *     images: 4,
 *   }),
 *   outDir,
 *   log: null,
 * });
 * assert.equal(result.epochs, 2);
 * assert.equal(result.checkpoints.last, `${outDir}/checkpoints/last.safetensors`);
 * assert.ok(Number.isFinite(result.history[1].train_loss));
 * tf.dispose([images, labels]);
 * optimizer.dispose();
 * model.dispose();
 * await Deno.remove(outDir, { recursive: true });
 * ```
 */
export async function fit<Batch>(options: FitOptions<Batch>): Promise<FitResult> {
  const { model, optimizer, schedule, epochs, stepsPerEpoch, outDir, monitor } = options;
  const { validateEvery = 1, config = {}, seed = DEFAULT_SEED, logEvery = 10 } = options;
  checkInteger("fit()", "options.epochs", epochs, { min: 1 });
  checkInteger("fit()", "options.stepsPerEpoch", stepsPerEpoch, { min: 1 });
  checkInteger("fit()", "options.validateEvery", validateEvery, { min: 1 });
  checkInteger("fit()", "options.logEvery", logEvery, { min: 1 });
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const checkpointDir = `${outDir}/checkpoints`;
  await Deno.mkdir(checkpointDir, { recursive: true });

  let firstEpoch = 0;
  let globalStep = 0;
  let best: { value: number; epoch: number } | null = null;
  if (options.resume) {
    const state = await loadCheckpoint(checkpointDir, "last", model, optimizer);
    if (state) {
      firstEpoch = state.epoch + 1;
      globalStep = state.globalStep;
      if (state.best !== null && state.bestEpoch !== null) {
        best = { value: state.best, epoch: state.bestEpoch };
      }
      log?.(`resuming from ${checkpointDir}/last (epoch ${firstEpoch} of ${epochs} done)`);
    } else {
      log?.(`nothing to resume in ${checkpointDir}: starting a new run`);
    }
  }
  const metricsFile = await Deno.open(`${outDir}/metrics.jsonl`, {
    append: true,
    create: true,
  });
  const encoder = new TextEncoder();
  const record = (entry: Record<string, unknown>) =>
    metricsFile.write(encoder.encode(JSON.stringify(entry) + "\n"));
  const prefixed = (prefix: string, values: Record<string, number>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));

  const showBar = options.progress ?? Deno.stderr.isTerminal();
  const history: Record<string, number>[] = [];
  let lastPath = `${checkpointDir}/last.safetensors`;
  try {
    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      if (schedule) optimizer.lr = schedule(epoch);
      const bar = showBar ? progressBar(epoch, epochs, stepsPerEpoch) : null;
      const started = performance.now();
      const sums: Record<string, number> = {};
      let steps = 0;
      let images = 0;
      for await (const batch of options.batches(epoch)) {
        const context = { epoch, step: steps, globalStep };
        let result: FitStepResult;
        try {
          result = await options.step(batch, context);
        } catch (error) {
          if (error instanceof NonFiniteLossError) {
            throw new NonFiniteLossError(error.value, context);
          }
          throw error;
        }
        const values = prefixed("train_", { loss: result.loss, ...result.metrics });
        for (const [key, v] of Object.entries(values)) sums[key] = (sums[key] ?? 0) + v;
        steps++;
        globalStep++;
        images += result.images;
        const seconds = (performance.now() - started) / 1000;
        bar?.update(steps, { loss: result.loss.toFixed(4), rate: (images / seconds).toFixed(1) });
        if (globalStep % logEvery === 0) {
          await record({
            kind: "step",
            epoch,
            step: steps,
            globalStep,
            lr: optimizer.lr,
            ...values,
          });
        }
      }
      bar?.stop();
      const seconds = (performance.now() - started) / 1000;
      const summary: Record<string, number> = { epoch, lr: optimizer.lr, seconds };
      for (const [key, sum] of Object.entries(sums)) summary[key] = sum / steps;
      summary.images_per_second = images / seconds;
      summary.peak_rss_mib = peakRssMiB();
      const isLast = epoch === epochs - 1;
      const validating = (epoch + 1) % validateEvery === 0 || isLast;
      if (options.validate && validating) {
        Object.assign(summary, prefixed("val_", await options.validate(epoch)));
      }
      if (options.monitors && validating) {
        for (const [name, value] of Object.entries(await options.monitors(epoch))) {
          if (name in summary) {
            throw new RangeError(
              argumentMessage(
                "fit()",
                `options.monitors returned ${show(name)}`,
                "a name the epoch record does not already have",
              ),
            );
          }
          summary[name] = value;
        }
      }
      let improved = false;
      if (monitor && monitor.metric in summary) {
        const v = summary[monitor.metric];
        improved = best === null || (monitor.mode === "max" ? v > best.value : v < best.value);
        if (improved) best = { value: v, epoch };
      }
      const state: TrainingState = {
        epoch,
        globalStep,
        lr: optimizer.lr,
        best: best?.value ?? null,
        bestEpoch: best?.epoch ?? null,
        seed,
        metrics: summary,
        config,
      };
      if (improved) await saveCheckpoint(checkpointDir, "best", model, optimizer, state);
      lastPath = await saveCheckpoint(checkpointDir, "last", model, optimizer, state);
      await record({ kind: "epoch", ...summary });
      history.push(summary);
      log?.(epochLine(epoch, epochs, summary, improved ? monitor!.metric : null));
    }
  } finally {
    metricsFile.close();
  }
  return {
    epochs: Math.max(epochs, firstEpoch),
    globalStep,
    best,
    history,
    checkpoints: { last: lastPath, best: best ? `${checkpointDir}/best.safetensors` : null },
  };
}

function progressBar(epoch: number, epochs: number, steps: number): cliProgress.SingleBar {
  const bar = new cliProgress.SingleBar({
    format: `epoch ${epoch + 1}/${epochs} [{bar}] {value}/{total} | loss {loss} | ` +
      `{rate} img/s | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: true,
    etaBuffer: 20,
  }, cliProgress.Presets.shades_classic);
  bar.start(steps, 0, { loss: "-", rate: "-" });
  return bar;
}

function epochLine(
  epoch: number,
  epochs: number,
  summary: Record<string, number>,
  improved: string | null,
): string {
  const skip = new Set(["epoch", "seconds", "lr", "images_per_second", "peak_rss_mib"]);
  const parts = Object.entries(summary)
    .filter(([key]) => !skip.has(key))
    .map(([key, v]) => `${key} ${v.toFixed(4)}`);
  return `epoch ${epoch + 1}/${epochs}: ${parts.join(", ")}, lr ${summary.lr.toExponential(2)}, ` +
    `${summary.images_per_second.toFixed(1)} img/s, ${summary.seconds.toFixed(1)} s, ` +
    `peak RSS ${summary.peak_rss_mib.toFixed(0)} MiB` +
    (improved ? ` (best ${improved} so far)` : "");
}

// Copyright 2026 the simclr authors. MIT license.
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "cli-progress";
import process from "node:process";
import type * as tf from "@tensorflow/tfjs-core";
import type { Module } from "@simclr/models/module";
import { peakRssMiB } from "@simclr/internal/peak-rss";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { WriteError } from "@simclr/internal/write-error";
import { CheckpointError } from "@simclr/models/checkpoint-error";
import type { AdamW } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.ts";
import { lockRunFolder } from "./lock_run_folder.ts";
import type { LRSchedule } from "./lr_schedule.ts";
import { NonFiniteLossError, type StepContext } from "./non_finite_loss_error.ts";
import { TrainingInterruptedError } from "./training_interrupted_error.ts";
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
  /**
   * Continue from `checkpoints/last` when it exists. Default false. The records of
   * `metrics.jsonl` past that checkpoint (the steps a killed run logged after it) are dropped.
   * With a `schedule`, a checkpoint of a run with another `epochs` is refused, because the
   * schedule spans the run's length: resuming with a new length needs `extend`.
   */
  resume?: boolean;
  /**
   * With `resume`: continue a run to a new `epochs` on purpose (to extend it, or end it
   * sooner). From the next epoch the learning rate follows `schedule` for the new length, so a
   * cosine schedule jumps to where the longer (or shorter) run would be. Default false.
   */
  extend?: boolean;
  /** Write a step record to `metrics.jsonl` every this many steps. Default 10. */
  logEvery?: number;
  /** Show a progress bar (default: when stderr is a terminal). */
  progress?: boolean;
  /** Where summary lines go. Default `console.error`; `null` for silence. */
  log?: ((line: string) => void) | null;
  /**
   * Hold `outDir` for this run (`lockRunFolder`: `run.lock` with this process's pid), so that a
   * second run into it is refused while this one lives. Default true.
   */
  lock?: boolean;
  /**
   * The signals that stop the run cleanly: the step under way is finished, a checkpoint
   * written (in the middle of an epoch if need be: a resumed run continues that epoch exactly)
   * and a `TrainingInterruptedError` thrown; the same signal again exits the process at once
   * (`Deno.exit`, 128 + the signal's number), the checkpoint on disk being the last complete
   * one. Default `["SIGINT", "SIGTERM"]`; `[]` leaves signals alone.
   */
  signals?: readonly Deno.Signal[];
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
 * `resume` continues from `checkpoints/last` (weights, optimiser, epoch, best), keeping the
 * records of `metrics.jsonl` up to it and dropping those a killed run wrote after it; with a
 * schedule, a different `epochs` (its length) is refused unless `extend` says it is on purpose.
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
 * Faults it survives: a checkpoint is written whole, flushed and verified before it replaces
 * `last`, whose predecessor is kept as `previous` (resume falls back to it, saying so, when
 * `last` is damaged); a full or read-only disk is a `WriteError` naming the file, the last
 * checkpoint intact; a second run into `outDir` is refused (`lock`); SIGINT and SIGTERM stop
 * after the current step with a checkpoint (`signals`); a NaN or Inf in the loss or the
 * gradients is a `NonFiniteLossError` naming the step, the checkpoint left as it was.
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
  const { epochs, stepsPerEpoch, outDir } = options;
  const { validateEvery = 1, logEvery = 10 } = options;
  checkInteger("fit()", "options.epochs", epochs, { min: 1 });
  checkInteger("fit()", "options.stepsPerEpoch", stepsPerEpoch, { min: 1 });
  checkInteger("fit()", "options.validateEvery", validateEvery, { min: 1 });
  checkInteger("fit()", "options.logEvery", logEvery, { min: 1 });
  if (options.extend && !options.resume) {
    throw new TypeError(
      argumentMessage("fit()", "options.extend is true", "options.resume true as well"),
    );
  }
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const lock = options.lock === false ? null : await lockRunFolder(outDir, { log });
  const stop = listenForStop(options.signals ?? ["SIGINT", "SIGTERM"], log);
  try {
    return await train(options, log, stop);
  } finally {
    stop.remove();
    lock?.release();
  }
}

/** A stop requested by a signal: which one, once one came. */
interface StopRequest {
  signal: Deno.Signal | null;
  remove(): void;
}

/** Listens for `signals`: the first asks the run to stop, the second exits at once. */
function listenForStop(
  signals: readonly Deno.Signal[],
  log: ((line: string) => void) | null,
): StopRequest {
  const request: StopRequest = { signal: null, remove: () => {} };
  const added: [Deno.Signal, () => void][] = [];
  for (const signal of signals) {
    const listener = () => {
      if (request.signal !== null) {
        log?.(
          `${signal} again: stopping at once; the last complete checkpoint on disk is kept ` +
            "(continue with --resume)",
        );
        Deno.exit(new TrainingInterruptedError(signal, "").exitCode);
      }
      request.signal = signal;
      log?.(
        `${signal}: finishing this step, then writing a checkpoint ` +
          `(${signal === "SIGINT" ? "Ctrl-C" : signal} again stops at once)`,
      );
    };
    try {
      Deno.addSignalListener(signal, listener);
      added.push([signal, listener]);
    } catch {
      // a signal this platform does not have (SIGTERM on Windows)
    }
  }
  request.remove = () => {
    for (const [signal, listener] of added) Deno.removeSignalListener(signal, listener);
  };
  return request;
}

/** Where a checkpoint is, for people: `run/checkpoints/last (end of epoch 2)`. */
function describe(path: string, state: TrainingState): string {
  return `${path} (` +
    (state.inEpoch
      ? `epoch ${state.epoch + 1}, step ${state.inEpoch.step}`
      : `end of epoch ${state.epoch + 1}`) +
    ")";
}

async function train<Batch>(
  options: FitOptions<Batch>,
  log: ((line: string) => void) | null,
  stop: StopRequest,
): Promise<FitResult> {
  const { model, optimizer, schedule, epochs, stepsPerEpoch, outDir, monitor } = options;
  const { validateEvery = 1, config = {}, seed = DEFAULT_SEED, logEvery = 10 } = options;
  const checkpointDir = `${outDir}/checkpoints`;
  await Deno.mkdir(checkpointDir, { recursive: true }).catch((error) => {
    throw WriteError.from(checkpointDir, error) ?? error;
  });
  if (options.lock !== false) {
    // Temporary files a run left when it was killed mid-write: this run owns the folder now.
    for (const entry of Deno.readDirSync(checkpointDir)) {
      if (entry.isFile && entry.name.endsWith(".tmp")) {
        await Deno.remove(`${checkpointDir}/${entry.name}`).catch(() => {});
      }
    }
  }

  let firstEpoch = 0;
  let globalStep = 0;
  let best: { value: number; epoch: number } | null = null;
  let resumedInEpoch: TrainingState["inEpoch"] = undefined;
  /** The last complete checkpoint on disk, for messages; null before the first. */
  let kept: string | null = null;
  const metricsPath = `${outDir}/metrics.jsonl`;
  if (options.resume) {
    const state = await loadCheckpoint(checkpointDir, "last", model, optimizer, {
      fallback: "previous",
      log,
    });
    if (state) {
      const planned = state.epochs ??
        (typeof state.config?.epochs === "number" ? state.config.epochs : epochs);
      if (schedule && planned !== epochs && !options.extend) {
        const n = (k: number) => `${k} epoch${k === 1 ? "" : "s"}`;
        throw new CheckpointError(
          `${state.from} is a run of ${n(planned)}, and resuming it for ${epochs} ` +
            `would silently change its learning-rate schedule: resume with ${n(planned)} ` +
            `(--epochs ${planned}), or change the run's length on purpose with --extend ` +
            `(fit()'s options.extend): from the next epoch the schedule then follows ` +
            `${n(epochs)}`,
        );
      }
      resumedInEpoch = state.inEpoch;
      firstEpoch = resumedInEpoch ? state.epoch : state.epoch + 1;
      globalStep = state.globalStep;
      if (state.best !== null && state.bestEpoch !== null) {
        best = { value: state.best, epoch: state.bestEpoch };
      }
      kept = describe(state.from, state);
      log?.(
        `resuming from ${state.from} (epoch ${state.epoch + (resumedInEpoch ? 0 : 1)} of ` +
          `${epochs} done` +
          (resumedInEpoch ? `, and ${resumedInEpoch.step} steps of epoch ${state.epoch + 1}` : "") +
          (planned !== epochs ? `; extended from ${planned} epochs` : "") + ")",
      );
    } else {
      log?.(`nothing to resume in ${checkpointDir}: starting a new run`);
    }
    await keepRecordsUpTo(metricsPath, state);
  }
  const withAdvice = (error: unknown) =>
    error instanceof WriteError
      ? error.withAdvice(
        kept === null
          ? "no checkpoint was written yet"
          : `the last complete checkpoint, ${kept}, is intact: free space (or make ${outDir} ` +
            "writable), then continue with --resume",
      )
      : error;
  const metricsFile = await Deno.open(metricsPath, { append: true, create: true }).catch(
    (error) => {
      throw WriteError.from(metricsPath, error) ?? error;
    },
  );
  const encoder = new TextEncoder();
  const record = async (entry: Record<string, unknown>) => {
    const bytes = encoder.encode(JSON.stringify(entry) + "\n");
    try {
      let written = 0;
      while (written < bytes.length) written += await metricsFile.write(bytes.subarray(written));
    } catch (error) {
      throw WriteError.from(metricsPath, error) ?? error;
    }
  };
  const prefixed = (prefix: string, values: Record<string, number>) =>
    Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));

  const showBar = options.progress ?? Deno.stderr.isTerminal();
  const history: Record<string, number>[] = [];
  let lastPath = `${checkpointDir}/last.safetensors`;
  const stateOf = (epoch: number, metrics: Record<string, number>): TrainingState => ({
    epoch,
    globalStep,
    lr: optimizer.lr,
    best: best?.value ?? null,
    bestEpoch: best?.epoch ?? null,
    seed,
    metrics,
    config,
    epochs,
  });
  try {
    for (let epoch = firstEpoch; epoch < epochs; epoch++) {
      if (schedule) optimizer.lr = schedule(epoch);
      const resumed = epoch === firstEpoch ? resumedInEpoch : undefined;
      const bar = showBar ? progressBar(epoch, epochs, stepsPerEpoch) : null;
      const started = performance.now() - 1000 * (resumed?.seconds ?? 0);
      const sums: Record<string, number> = { ...resumed?.sums };
      const skip = resumed?.step ?? 0;
      let steps = 0;
      let images = resumed?.images ?? 0;
      for await (const batch of options.batches(epoch)) {
        if (steps < skip) { // done before the interruption: same batches, same order
          steps++;
          continue;
        }
        const context = { epoch, step: steps, globalStep };
        let result: FitStepResult;
        try {
          result = await options.step(batch, context);
        } catch (error) {
          if (error instanceof NonFiniteLossError) {
            throw new NonFiniteLossError(error.value, context, {
              quantity: error.quantity,
              checkpoint: kept,
            });
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
        if (stop.signal !== null && steps < stepsPerEpoch) {
          bar?.stop();
          const state: TrainingState = {
            ...stateOf(epoch, {}),
            inEpoch: { step: steps, sums, images, seconds },
          };
          await saveCheckpoint(checkpointDir, "last", model, optimizer, state, {
            previous: "previous",
          });
          throw new TrainingInterruptedError(
            stop.signal,
            `stopped at epoch ${epoch + 1}/${epochs}, step ${steps} of ${stepsPerEpoch}; ` +
              `checkpoint ${describe(`${checkpointDir}/last`, state)} written: continue with ` +
              "--resume (fit()'s options.resume) and the same settings",
          );
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
      const state = stateOf(epoch, summary);
      if (improved) await saveCheckpoint(checkpointDir, "best", model, optimizer, state);
      lastPath = await saveCheckpoint(checkpointDir, "last", model, optimizer, state, {
        previous: "previous",
      });
      kept = describe(`${checkpointDir}/last`, state);
      await record({ kind: "epoch", ...summary });
      history.push(summary);
      log?.(epochLine(epoch, epochs, summary, improved ? monitor!.metric : null));
      if (stop.signal !== null && !isLast) {
        throw new TrainingInterruptedError(
          stop.signal,
          `stopped after epoch ${epoch + 1}/${epochs}; checkpoint ${kept} written: continue ` +
            "with --resume (fit()'s options.resume) and the same settings",
        );
      }
    }
  } catch (error) {
    throw withAdvice(error);
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

/**
 * Rewrites `metrics.jsonl` (atomically) to the records of the run up to its checkpoint
 * `state`: step records up to its global step, epoch records up to its epoch; with no
 * checkpoint, none (a checkpoint written mid-epoch: the epoch records before its epoch).
 * Records a killed run wrote after its checkpoint would otherwise appear
 * twice after the resume; a line cut short by the kill is dropped too. The epoch record of the
 * checkpoint's own epoch is restored from the state when the run died before writing it.
 */
async function keepRecordsUpTo(path: string, state: TrainingState | null): Promise<void> {
  const text = await nullIfMissing(Deno.readTextFile(path));
  if (text === null) return;
  const kept: string[] = [];
  let checkpointEpochRecorded = false;
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // cut short by the kill
    }
    if (state === null) continue;
    // A checkpoint written mid-epoch (state.inEpoch) has no record of its own epoch yet.
    const lastEpoch = state.inEpoch ? state.epoch - 1 : state.epoch;
    const keep = entry.kind === "step"
      ? typeof entry.globalStep === "number" && entry.globalStep <= state.globalStep
      : typeof entry.epoch !== "number" || entry.epoch <= lastEpoch;
    if (!keep) continue;
    if (entry.kind === "epoch" && entry.epoch === state.epoch) checkpointEpochRecorded = true;
    kept.push(line);
  }
  if (
    state !== null && !state.inEpoch && !checkpointEpochRecorded &&
    Object.keys(state.metrics).length > 0
  ) {
    kept.push(JSON.stringify({ kind: "epoch", ...state.metrics }));
  }
  const rewritten = kept.map((line) => line + "\n").join("");
  if (rewritten !== text) await writeFileAtomic(path, rewritten);
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

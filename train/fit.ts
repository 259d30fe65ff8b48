import * as tf from "@tensorflow/tfjs-core";
import cliProgress from "cli-progress";
import process from "node:process";
import type { Module } from "@simclr/models";
import type { AdamW } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.ts";
import type { LRSchedule } from "./lr_schedule.ts";

/** Where a step is within the run, given to the step and batch callbacks. */
export interface StepContext {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** Steps before this one over the whole run. */
  globalStep: number;
}

/** What a training step computes: the loss to minimise and metrics to log. */
export interface StepOutput {
  /** The scalar loss; its gradient with respect to the model's parameters is applied. */
  loss: tf.Scalar;
  /** Scalars to log beside the loss (e.g. `top1`, `top5`). */
  metrics?: Record<string, tf.Scalar>;
  /** Images the step processed, for the images-per-second rate. */
  images?: number;
}

/** Options of {@linkcode fit}. */
export interface FitOptions<Batch> {
  /** The model; its `parameters()` are trained and its state dict is checkpointed. */
  model: Module;
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
  /** Computes the loss of a batch; runs under `tf.variableGrads` (tensors are cleaned up). */
  step: (batch: Batch, context: StepContext) => StepOutput;
  /** Validation metrics after an epoch, e.g. `{ val_acc_top5: 0.93 }`. */
  validate?: (epoch: number) => Promise<Record<string, number>>;
  /** Validate every k epochs (and after the last). Default 1. */
  validateEvery?: number;
  /** The metric that picks `best` and whether higher or lower is better. */
  monitor?: { metric: string; mode: "max" | "min" };
  /** Run folder: `metrics.jsonl` and `checkpoints/` go there. */
  outDir: string;
  /** Saved in every checkpoint (and its metadata). */
  config?: Record<string, unknown>;
  /** Seed of the run, recorded in the training state. Default 0. */
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

/** Raised when the loss becomes NaN or infinite; the last good checkpoint is kept. */
export class NonFiniteLossError extends Error {
  /**
   * Builds the message from where it happened and the loss.
   *
   * @param context Where it happened.
   * @param value The loss.
   */
  constructor(readonly context: StepContext, readonly value: number) {
    super(
      `training stopped: the loss is ${value} at epoch ${context.epoch + 1}, step ` +
        `${context.step + 1}; the last good checkpoint is kept. Lower the learning rate or ` +
        `check the data.`,
    );
    this.name = "NonFiniteLossError";
  }
}

/**
 * Trains a model: epochs of steps (`tf.variableGrads` + the optimiser), the learning rate set
 * per epoch from a schedule, validation every `validateEvery` epochs, the `last` checkpoint
 * after every epoch and the `best` one by a monitored metric, a JSON line per logged step and
 * per epoch in `metrics.jsonl`, a progress bar with loss, rate and ETA, and a summary line per
 * epoch. `resume` continues from `checkpoints/last` (weights, optimiser, epoch, best).
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
 * import { AdamW, fit } from "@simclr/train";
 *
 * await tf.setBackend("cpu");
 * const model = resnet18({ width: 2, numClasses: 2, stem: "cifar" });
 * const images = tf.randomUniform([4, 8, 8, 3]) as tf.Tensor4D;
 * const labels = tf.oneHot([0, 1, 0, 1], 2);
 * const outDir = await Deno.makeTempDir();
 * const result = await fit({
 *   model,
 *   optimizer: new AdamW(model.parameters(), { lr: 1e-2 }),
 *   epochs: 2,
 *   stepsPerEpoch: 1,
 *   batches: async function* () { yield { images, labels }; },
 *   step: (batch) => ({
 *     loss: tf.losses.softmaxCrossEntropy(batch.labels, model.apply(batch.images, { training: true })) as tf.Scalar,
 *     images: 4,
 *   }),
 *   outDir,
 *   log: null,
 * });
 * console.log(result.epochs, result.checkpoints.last); // 2 .../checkpoints/last.safetensors
 * await Deno.remove(outDir, { recursive: true });
 * ```
 */
export async function fit<Batch>(options: FitOptions<Batch>): Promise<FitResult> {
  const { model, optimizer, schedule, epochs, stepsPerEpoch, outDir, monitor } = options;
  const { validateEvery = 1, config = {}, seed = 0, logEvery = 10 } = options;
  checkInteger("epochs", epochs, 1);
  checkInteger("stepsPerEpoch", stepsPerEpoch, 1);
  checkInteger("validateEvery", validateEvery, 1);
  checkInteger("logEvery", logEvery, 1);
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

  // Gradients come back keyed by variable name; map them to parameter names.
  const params = model.parameters();
  const variables = [...params.values()];
  const paramName = new Map([...params].map(([name, v]) => [v.name, name]));

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
        let metrics: Record<string, tf.Scalar> = {};
        let stepImages = 0;
        const { value, grads } = tf.variableGrads(() => {
          const out = options.step(batch, context);
          metrics = out.metrics ?? {};
          stepImages = out.images ?? 0;
          Object.values(metrics).forEach((m) => tf.keep(m));
          return out.loss;
        }, variables);
        const named = new Map(Object.entries(grads).map(([k, g]) => [paramName.get(k)!, g]));
        const lossValue = (await value.data())[0];
        if (!Number.isFinite(lossValue)) {
          tf.dispose([value, ...Object.values(grads), ...Object.values(metrics)]);
          throw new NonFiniteLossError(context, lossValue);
        }
        optimizer.step(named);
        const values: Record<string, number> = { loss: lossValue };
        for (const [key, metric] of Object.entries(metrics)) values[key] = (await metric.data())[0];
        tf.dispose([value, ...Object.values(grads), ...Object.values(metrics)]);
        for (const [key, v] of Object.entries(values)) sums[key] = (sums[key] ?? 0) + v;
        steps++;
        globalStep++;
        images += stepImages;
        const seconds = (performance.now() - started) / 1000;
        bar?.update(steps, { loss: lossValue.toFixed(4), rate: (images / seconds).toFixed(1) });
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
      for (const [key, sum] of Object.entries(sums)) summary[`train_${key}`] = sum / steps;
      summary.images_per_second = images / seconds;
      summary.peak_rss_mib = peakRssMiB();
      const isLast = epoch === epochs - 1;
      if (options.validate && ((epoch + 1) % validateEvery === 0 || isLast)) {
        Object.assign(summary, await options.validate(epoch));
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

/** Peak resident memory of this process (Linux's VmHWM), else the current RSS, in MiB. */
function peakRssMiB(): number {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const match = status.match(/^VmHWM:\s+(\d+) kB/m);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux, or no read permission: fall through.
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`fit: ${name} must be an integer >= ${min}, got ${value}`);
  }
}

// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import type { AdamW } from "./adamw.ts";
import { cachedGradients } from "./cached_gradients.ts";
import { DataParallel } from "./data_parallel.ts";
import type { BatchPart } from "./_output_gradients.ts";
import type { Replica } from "./_shared_step.ts";
import { applyGradients, computeGradients, type StepResult } from "./train_step.ts";

/** Options of {@linkcode ReplicaTrainer.start}. */
export interface ReplicaTrainerOptions<Config> {
  /** This process's replica: its model and `optimizer` are the run's. */
  replica: Replica;
  /** The optimiser over `replica.model.parameters()`. */
  optimizer: AdamW;
  /** Data-parallel replicas, this process's included. Default 1 (no workers). */
  workers?: number;
  /** Chunks each batch runs in (gradient caching). Default 1 (the whole batch at once). */
  accumulate?: number;
  /** With workers: the module that builds a replica from `config` (`createReplica`). */
  module?: string | URL;
  /** With workers: the config `replica` was built from, for the workers' replicas. */
  config?: unknown;
  /** With workers: the largest batch, in images. */
  maxBatchSize?: number;
  /** With workers: the size of one output row. */
  outputDim?: number;
  /** With workers: how long a replica waits for the others, in seconds. Default 600. */
  timeoutSeconds?: number;
}

/**
 * Runs training steps of a {@linkcode Replica} one of three ways, all with the same result up
 * to float rounding (and BatchNorm's per-part statistics): the whole batch at once
 * ({@linkcode trainStep}), in `accumulate` chunks ({@linkcode cachedGradients}: large batches
 * in little memory), or over `workers` data-parallel replicas ({@linkcode DataParallel}: every
 * core). A command builds its replica, starts a trainer with the user's choice, and calls
 * {@linkcode ReplicaTrainer.step} per batch.
 *
 * @example The whole batch at once
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { simclrNet } from "@simclr/models";
 * import { AdamW, contrastiveObjective, ReplicaTrainer } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
 * const replica = {
 *   model,
 *   nViews: 2,
 *   inputs: ({ count }: { count: number }) => tf.randomNormal([2 * count, 8, 8, 3], 0, 1, "float32", 1),
 *   forward: (x: tf.Tensor) => model.apply(x as tf.Tensor4D, { training: true }),
 *   loss: (z: tf.Tensor2D) => contrastiveObjective(z),
 * };
 * const optimizer = new AdamW(model.parameters());
 * const trainer = await ReplicaTrainer.start({ replica, optimizer, accumulate: 2 });
 * const { loss } = await trainer.step(4, () => null);
 * assert.ok(loss > 0);
 * trainer.close();
 * optimizer.dispose();
 * model.dispose();
 * ```
 */
export class ReplicaTrainer<Payload> {
  readonly #replica: Replica<Payload>;
  readonly #optimizer: AdamW;
  readonly #accumulate: number;
  readonly #parallel: DataParallel<Payload> | null;

  private constructor(
    replica: Replica<Payload>,
    optimizer: AdamW,
    accumulate: number,
    parallel: DataParallel<Payload> | null,
  ) {
    this.#replica = replica;
    this.#optimizer = optimizer;
    this.#accumulate = accumulate;
    this.#parallel = parallel;
  }

  /**
   * Starts a trainer (and, with workers, the workers).
   *
   * @param options The replica and optimiser, and how to split the batches.
   * @returns The trainer; {@linkcode ReplicaTrainer.close} stops its workers.
   */
  static async start<Config, Payload>(
    options: ReplicaTrainerOptions<Config>,
  ): Promise<ReplicaTrainer<Payload>> {
    const fn = "ReplicaTrainer.start()";
    const { workers = 1, accumulate = 1 } = options;
    checkInteger(fn, "options.workers", workers, { min: 1 });
    checkInteger(fn, "options.accumulate", accumulate, { min: 1 });
    if (workers > 1 && accumulate > 1) {
      throw new RangeError(
        argumentMessage(
          fn,
          `options.workers is ${workers} and options.accumulate is ${accumulate}`,
          "one of them to be 1 (replicas or chunks, not both)",
        ),
      );
    }
    let parallel: DataParallel<Payload> | null = null;
    if (workers > 1) {
      for (const key of ["module", "maxBatchSize", "outputDim"] as const) {
        if (options[key] === undefined) {
          throw new TypeError(
            argumentMessage(fn, `options.${key} is undefined`, "a value with workers"),
          );
        }
      }
      parallel = await DataParallel.start<Config, Payload>({
        replicas: workers,
        module: options.module!,
        config: options.config as Config,
        local: options.replica,
        optimizer: options.optimizer,
        maxBatchSize: options.maxBatchSize!,
        outputDim: options.outputDim!,
        timeoutSeconds: options.timeoutSeconds,
      });
    }
    return new ReplicaTrainer(
      options.replica as Replica<Payload>,
      options.optimizer,
      accumulate,
      parallel,
    );
  }

  /**
   * One training step on a batch.
   *
   * @param batchSize Images in the batch.
   * @param payload What makes a part's inputs (its images, a seed...): called per part.
   * @returns The loss and the metrics of the whole batch.
   */
  async step(batchSize: number, payload: (part: BatchPart) => Payload): Promise<StepResult> {
    const parallel = this.#parallel;
    if (parallel !== null) {
      if (batchSize >= parallel.replicas) return await parallel.step(batchSize, payload); // calls afterStep
      parallel.resync(); // a batch too small to share (an epoch's last): here, then resync
    }
    const result = await this.#localStep(batchSize, payload);
    this.#replica.afterStep?.();
    return result;
  }

  async #localStep(batchSize: number, payload: (part: BatchPart) => Payload): Promise<StepResult> {
    const replica = this.#replica;
    const inputs = (start: number, count: number) =>
      replica.inputs({ start, count, batchSize, payload: payload({ start, count }) });
    if (this.#accumulate > 1) {
      return await applyGradients(
        this.#optimizer,
        cachedGradients(replica.model, {
          batchSize,
          chunks: Math.min(this.#accumulate, batchSize),
          nViews: replica.nViews,
          inputs: inputs as (start: number, count: number) => tf.Tensor4D,
          forward: (x) => replica.forward(x),
          loss: (z) => replica.loss(z, payload({ start: 0, count: batchSize })),
        }),
      );
    }
    const x = inputs(0, batchSize); // off the tape
    try {
      return await applyGradients(
        this.#optimizer,
        computeGradients(
          replica.model,
          () => replica.loss(replica.forward(x), payload({ start: 0, count: batchSize })),
        ),
      );
    } finally {
      x.dispose();
    }
  }

  /** Stops the workers, if any. */
  close(): void {
    this.#parallel?.close();
  }
}

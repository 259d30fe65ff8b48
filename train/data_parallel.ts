// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import { checkInteger } from "@simclr/internal/checks";
import type { AdamW } from "./adamw.ts";
import { type BatchPart, parameterDigest, splitBatch } from "./_output_gradients.ts";
import { type Replica, ReplicaError, SharedStep } from "./_shared_step.ts";
import type { WorkerMessage } from "./_data_parallel_worker.ts";
import { applyGradients, type StepResult } from "./train_step.ts";

export { type Replica, ReplicaError } from "./_shared_step.ts";
export type { BatchPart } from "./_output_gradients.ts";

/** Options of {@linkcode DataParallel.start}. */
export interface DataParallelOptions<Config> {
  /** Replicas in all, this process's included (at least 2). */
  replicas: number;
  /**
   * A module (URL or path) exporting `createReplica(config): Replica | Promise<Replica>`, which
   * every worker imports to build its replica: the same network (same seed), the same loss,
   * and its backend (workers pick their own, e.g. `selectBackend("wasm", { threads: 1 })`).
   */
  module: string | URL;
  /** Given to `createReplica` in every worker (structured-cloneable). */
  config: Config;
  /** This process's replica (replica 0), built by the caller with the same module and config. */
  local: Replica;
  /** Replica 0's optimiser: its settings are copied to the workers, its steps are the run's. */
  optimizer: AdamW;
  /** The largest batch a step will be given (images), to size the shared memory. */
  maxBatchSize: number;
  /** The size of one output row (e.g. the projection size). */
  outputDim: number;
  /** How long a replica waits for the others before the run fails, in seconds. Default 600. */
  timeoutSeconds?: number;
}

/**
 * Exact data-parallel training on several Deno workers, each a replica of the model that
 * trains on a part of every batch, with one forward and one backward pass per step. For a loss
 * that couples the whole batch (InfoNCE), every replica computes its part's outputs, the
 * outputs are exchanged through a `SharedArrayBuffer`, every replica computes the loss of the
 * whole batch and its gradient `G` with respect to the outputs, and backpropagates the
 * surrogate `sum(outputs_part * G_part)` (all inside one gradient tape: the exchange blocks
 * there with `Atomics.wait`). The parameter gradients are summed across replicas in rank order
 * (an all-reduce over shared memory), and every replica applies the same AdamW step, so the
 * weights stay identical without being broadcast. This process is replica 0: its model and
 * optimiser are the run's, for checkpoints and validation.
 *
 * The summed gradient is the single-process gradient, up to float rounding. BatchNorm in
 * training mode makes each output depend on the whole batch: its statistics and their
 * gradients are summed across the replicas as they are computed (PyTorch's SyncBatchNorm,
 * see `syncBatchNorm` in `@simclr/models`), so every replica normalises by the whole batch and
 * keeps the same running statistics. Per-part statistics (DDP without SyncBatchNorm) would
 * let SimCLR's two views of an image, which sit in the same part, share a cue the other images
 * lack.
 *
 * A replica that throws ends the run: every replica raises a {@linkcode ReplicaError} naming
 * it and its message, and `fit()` stops before writing a checkpoint, so the last one stays.
 *
 * @example See `train/data_parallel_test.ts`, and `examples/pretrain.ts` with `--workers`.
 */
export class DataParallel<Payload> {
  readonly #workers: Worker[];
  readonly #shared: SharedStep;
  readonly #local: Replica<Payload>;
  readonly #optimizer: AdamW;
  #synced = false;
  #failure: string | null = null;

  private constructor(
    workers: Worker[],
    shared: SharedStep,
    local: Replica<Payload>,
    optimizer: AdamW,
  ) {
    this.#workers = workers;
    this.#shared = shared;
    this.#local = local;
    this.#optimizer = optimizer;
    for (const [i, worker] of workers.entries()) {
      worker.addEventListener("message", (event: MessageEvent) => {
        if (event.data?.type === "error") {
          this.#failure ??= `replica ${i + 1}: ${event.data.message}`;
        }
      });
    }
  }

  /**
   * Starts the workers (replicas 1 and up) and waits until each has built its replica.
   *
   * @param options Replicas, the replica module and its config, this process's replica and
   *   optimiser, and the sizes of the shared memory.
   * @returns The running group; {@linkcode DataParallel.close} ends it.
   */
  static async start<Config, Payload>(
    options: DataParallelOptions<Config>,
  ): Promise<DataParallel<Payload>> {
    const fn = "DataParallel.start()";
    const { replicas, local, optimizer, maxBatchSize, outputDim } = options;
    checkInteger(fn, "options.replicas", replicas, { min: 2 });
    checkInteger(fn, "options.maxBatchSize", maxBatchSize, { min: replicas });
    checkInteger(fn, "options.outputDim", outputDim, { min: 1 });
    const timeoutMs = 1000 * (options.timeoutSeconds ?? 600);
    let parameters = 0;
    for (const v of local.model.parameters().values()) parameters += v.size;
    // BatchNorm's largest sum: a count and two values per channel (see syncBatchNorm).
    let channels = 1;
    for (const [name, v] of local.model.buffers()) {
      if (name.endsWith("running_mean")) channels = Math.max(channels, v.size);
    }
    const buffers = SharedStep.allocate(
      replicas,
      local.nViews * maxBatchSize,
      outputDim,
      parameters,
      1 + 2 * channels,
    );
    const module = new URL(options.module, `file://${Deno.cwd()}/`).href;
    const workers: Worker[] = [];
    try {
      for (let rank = 1; rank < replicas; rank++) {
        const worker = new Worker(new URL("./_data_parallel_worker.ts", import.meta.url).href, {
          type: "module",
        });
        workers.push(worker);
        const ready = new Promise<void>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent) => {
            if (event.data?.type === "ready") resolve();
            else if (event.data?.type === "error") {
              reject(
                new ReplicaError(
                  `data-parallel replica ${rank} failed to start: ${event.data.message}`,
                ),
              );
            }
          };
          worker.onerror = (event: ErrorEvent) => {
            event.preventDefault();
            reject(
              new ReplicaError(`data-parallel replica ${rank} failed to start: ${event.message}`),
            );
          };
        });
        const init: WorkerMessage = {
          type: "init",
          module,
          config: options.config,
          buffers,
          rank,
          ranks: replicas,
          timeoutMs,
          optimizer: optimizer.settings(),
        };
        worker.postMessage(init);
        await ready;
        worker.onmessage = null;
        worker.onerror = null;
      }
    } catch (error) {
      workers.forEach((w) => w.terminate());
      throw error;
    }
    return new DataParallel<Payload>(
      workers,
      new SharedStep(buffers, 0, replicas, timeoutMs),
      local as Replica<Payload>,
      optimizer,
    );
  }

  /** Replicas in all, this process's included. */
  get replicas(): number {
    return this.#workers.length + 1;
  }

  /** Gives every worker replica 0's weights, buffers and optimiser state. */
  async #sync(): Promise<void> {
    const model = this.#local.model;
    const variables: [string, tf.DataType, number[], tf.TypedArray][] = [];
    for (const [name, v] of [...model.parameters(), ...model.buffers()]) {
      variables.push([name, v.dtype, v.shape, await v.data() as tf.TypedArray]);
    }
    const state = this.#optimizer.state();
    const moments: [string, number[], Float32Array, Float32Array][] = [];
    for (const [name, m] of state.expAvg) {
      const v = state.expAvgSq.get(name)!;
      moments.push([name, m.shape, await m.data() as Float32Array, await v.data() as Float32Array]);
    }
    [...state.expAvg.values(), ...state.expAvgSq.values()].forEach((t) => t.dispose());
    const message: WorkerMessage = {
      type: "state",
      variables,
      optimizer: { step: state.step, moments },
    };
    for (const worker of this.#workers) worker.postMessage(message);
    this.#synced = true;
  }

  /**
   * One training step on every replica: each gets its part of the batch (`payload(part)`, sent
   * to it), the replicas exchange outputs and gradients, and each applies the same optimiser
   * step. The first step (and the first after {@linkcode DataParallel.resync}) first gives the
   * workers replica 0's state, so a resumed run continues exactly.
   *
   * @param batchSize Images in this batch (at most `maxBatchSize`, at least one per replica).
   * @param payload What a replica needs to make its part's inputs (e.g. its images and the
   *   augmentation seed); called once per replica.
   * @returns The loss and the metrics of the whole batch.
   */
  async step(batchSize: number, payload: (part: BatchPart) => Payload): Promise<StepResult> {
    checkInteger("DataParallel.step()", "batchSize", batchSize, { min: this.replicas });
    if (this.#failure !== null) throw new ReplicaError(`data-parallel ${this.#failure}`);
    if (!this.#synced) await this.#sync();
    const parts = splitBatch(batchSize, this.replicas);
    this.#workers.forEach((worker, i) => {
      const part = parts[i + 1];
      const message: WorkerMessage = {
        type: "step",
        lr: this.#optimizer.lr,
        batchSize,
        part,
        payload: payload(part),
      };
      worker.postMessage(message);
    });
    let gradients;
    try {
      gradients = this.#shared.gradients(this.#local, parts[0], batchSize, payload(parts[0]));
    } catch (error) {
      if (!(error instanceof ReplicaError)) {
        this.#shared.fail(`${(error as Error).name}: ${(error as Error).message}`);
      }
      throw error;
    }
    const result = await applyGradients(this.#optimizer, gradients);
    this.#local.afterStep?.();
    return result;
  }

  /**
   * A digest of every replica's parameters, replica 0's first: all equal while the replicas
   * are in step (they should always be).
   *
   * @returns One SHA-256 hex digest per replica.
   */
  async checksums(): Promise<string[]> {
    const replies = this.#workers.map((worker) =>
      new Promise<string>((resolve) => {
        const listen = (event: MessageEvent) => {
          if (event.data?.type !== "checksum") return;
          worker.removeEventListener("message", listen);
          resolve(event.data.value);
        };
        worker.addEventListener("message", listen);
        worker.postMessage({ type: "checksum" } satisfies WorkerMessage);
      })
    );
    return [await parameterDigest(this.#local.model), ...await Promise.all(replies)];
  }

  /** Makes the next step give the workers replica 0's state again (after loading a checkpoint). */
  resync(): void {
    this.#synced = false;
  }

  /** Stops the workers. */
  close(): void {
    this.#workers.forEach((w) => w.terminate());
  }
}

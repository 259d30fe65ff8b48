// Copyright 2026 the simclr authors. MIT license.
// Internal: what the replicas of a data-parallel step share (a SharedArrayBuffer each for the
// control words, the batch's outputs and every replica's gradients) and the step one replica
// runs on it. The same code runs in the main process (replica 0) and in every worker.
import * as tf from "@tensorflow/tfjs-core";
import type { Module } from "@simclr/models/module";
import { syncBatchNorm } from "@simclr/models/sync-batch-norm";
import {
  type BatchPart,
  type OutputGradient,
  outputGradient,
  partRows,
} from "./_output_gradients.ts";
import { computeGradients, type Gradients, type LossOutput } from "./train_step.ts";

/** One replica of a data-parallel run: the same network and loss on every replica. */
export interface Replica<Payload = unknown> {
  /** The replica's network; its parameters are trained. */
  model: Module<tf.Tensor, tf.Tensor>;
  /** Views per image: the outputs of a part are `[nViews * count, D]`, view-major. */
  nViews: number;
  /** The inputs of a part of the batch, from what the main process sent for it. */
  inputs(part: BatchPart & { batchSize: number; payload: Payload }): tf.Tensor;
  /** The outputs of the inputs, on the gradient tape (e.g. `model.apply(x, { training: true })`). */
  forward(inputs: tf.Tensor): tf.Tensor2D;
  /**
   * The loss of the whole batch's outputs, `[nViews * batchSize, D]` view-major. `payload` is
   * this replica's: what the loss needs of the whole batch (labels, say) must be in every
   * part's payload.
   */
  loss(outputs: tf.Tensor2D, payload: Payload): LossOutput;
  /**
   * Called on every replica after each optimiser step, e.g. to update a momentum (EMA) target
   * network kept among the model's buffers. Must be deterministic: replicas stay identical.
   */
  afterStep?(): void;
}

const COUNT = 0; // replicas arrived at the barrier
const GENERATION = 1; // barriers passed
const FAILED = 2; // 1 + the rank of a replica that failed, 0 while all is well
const MESSAGE_BYTES = 4096; // the failed replica's error message, UTF-8

/** The shared memory of a data-parallel run, as handed to every replica. */
export interface SharedBuffers {
  control: SharedArrayBuffer;
  message: SharedArrayBuffer;
  outputs: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  /** Every replica's share of a BatchNorm sum (see {@linkcode SharedStep.sum}). */
  sums: SharedArrayBuffer;
}

/** Raised in every replica when one of them failed or stopped answering. */
export class ReplicaError extends Error {
  /**
   * Builds the error.
   *
   * @param message What happened, naming the replica.
   */
  constructor(message: string) {
    super(message);
    this.name = "ReplicaError";
  }
}

/** A replica's view of the shared memory: barriers, failure flag, outputs and gradients. */
export class SharedStep {
  readonly #control: Int32Array;
  readonly #message: Uint8Array;
  readonly outputs: Float32Array;
  readonly #grads: Float32Array;
  readonly #parameterCount: number;
  readonly #sums: Float64Array;
  readonly #sumLength: number;
  #sumRound = 0;

  constructor(
    readonly buffers: SharedBuffers,
    readonly rank: number,
    readonly ranks: number,
    readonly timeoutMs: number,
  ) {
    this.#control = new Int32Array(buffers.control);
    this.#message = new Uint8Array(buffers.message);
    this.outputs = new Float32Array(buffers.outputs);
    this.#grads = new Float32Array(buffers.grads);
    this.#parameterCount = this.#grads.length / ranks;
    this.#sums = new Float64Array(buffers.sums);
    this.#sumLength = this.#sums.length / (2 * ranks);
  }

  /**
   * Allocates the shared memory for `ranks` replicas, batches of up to `rows` outputs of `dim`,
   * `parameters` values of gradients and sums of up to `sumLength` values.
   */
  static allocate(
    ranks: number,
    rows: number,
    dim: number,
    parameters: number,
    sumLength: number,
  ): SharedBuffers {
    return {
      control: new SharedArrayBuffer(4 * 4),
      message: new SharedArrayBuffer(MESSAGE_BYTES),
      outputs: new SharedArrayBuffer(4 * rows * dim),
      grads: new SharedArrayBuffer(4 * ranks * parameters),
      sums: new SharedArrayBuffer(8 * 2 * ranks * sumLength),
    };
  }

  /**
   * `values` summed over every replica, in rank order (the same sum, bit for bit, on each).
   * Every replica must call it at the same points: BatchNorm's statistics and their gradients
   * (`syncBatchNorm`), in the same network. Blocks at one barrier: successive sums alternate
   * between two halves of the buffer, and a replica can write a half again only after every
   * replica has reached the next sum's barrier, so after it has read this one.
   */
  sum(values: Float64Array): Float64Array {
    const n = values.length;
    if (n > this.#sumLength) {
      throw new RangeError(`a replica sum of ${n} values exceeds the ${this.#sumLength} allocated`);
    }
    const half = this.#sums.subarray(
      (this.#sumRound++ % 2) * this.ranks * this.#sumLength,
    );
    half.set(values, this.rank * this.#sumLength);
    this.barrier(); // every replica's values are in place
    const total = new Float64Array(n);
    for (let r = 0; r < this.ranks; r++) {
      const part = half.subarray(r * this.#sumLength, r * this.#sumLength + n);
      for (let i = 0; i < n; i++) total[i] += part[i];
    }
    return total;
  }

  /** Waits until every replica has arrived (blocking: `Atomics.wait`). */
  barrier(): void {
    const c = this.#control;
    const generation = Atomics.load(c, GENERATION);
    if (Atomics.add(c, COUNT, 1) === this.ranks - 1) {
      Atomics.store(c, COUNT, 0);
      Atomics.add(c, GENERATION, 1);
      Atomics.notify(c, GENERATION);
      return;
    }
    const deadline = performance.now() + this.timeoutMs;
    while (Atomics.load(c, GENERATION) === generation) {
      this.throwIfFailed();
      if (performance.now() > deadline) {
        this.fail(`replica ${this.rank} waited ${this.timeoutMs / 1000} s for the others`);
        this.throwIfFailed();
      }
      Atomics.wait(c, GENERATION, generation, 200);
    }
  }

  /** Marks the run as failed (the first failure wins) and wakes every waiting replica. */
  fail(message: string): void {
    const c = this.#control;
    if (Atomics.compareExchange(c, FAILED, 0, this.rank + 1) === 0) {
      const bytes = new TextEncoder().encode(message).slice(0, MESSAGE_BYTES - 4);
      new DataView(this.buffers.message).setUint32(0, bytes.length, true);
      this.#message.set(bytes, 4);
    }
    Atomics.add(c, GENERATION, 0);
    Atomics.notify(c, GENERATION);
  }

  /** Throws a {@linkcode ReplicaError} when a replica has failed. */
  throwIfFailed(): void {
    const failed = Atomics.load(this.#control, FAILED);
    if (failed === 0) return;
    const length = new DataView(this.buffers.message).getUint32(0, true);
    const message = new TextDecoder().decode(this.#message.slice(4, 4 + length));
    throw new ReplicaError(`data-parallel replica ${failed - 1} failed: ${message}`);
  }

  /**
   * This replica's share of a step: its part's outputs on the tape, the exchange of outputs,
   * the whole batch's loss and output gradient `G`, and the backward pass of
   * `sum(outputs_part * G_part)`; then the sum of every replica's parameter gradients, in rank
   * order, so that every replica holds the same sum. BatchNorm in training mode normalises by
   * the whole batch's statistics (as PyTorch's SyncBatchNorm), so the sum is the
   * single-process gradient. Blocks at three barriers, and one per BatchNorm sum.
   */
  gradients<P>(
    replica: Replica<P>,
    part: BatchPart,
    batchSize: number,
    payload: P,
  ): Gradients {
    const x = replica.inputs({ ...part, batchSize, payload }); // off the tape
    const rows = partRows(part, batchSize, replica.nViews);
    let batch: OutputGradient | undefined;
    // BatchNorm normalises by the whole batch's statistics (SyncBatchNorm), forward and backward.
    const own = syncBatchNorm(
      (values) => this.sum(values),
      () =>
        computeGradients(replica.model, () => {
          const z = replica.forward(x); // [nViews * count, D]
          const dim = z.shape[1];
          const values = z.dataSync();
          rows.forEach((row, r) =>
            this.outputs.set(values.subarray(r * dim, (r + 1) * dim), row * dim)
          );
          this.barrier(); // every part's outputs are in place
          const total = replica.nViews * batchSize;
          const outputs = tf.tensor2d(this.outputs.slice(0, total * dim), [total, dim]);
          batch = outputGradient(outputs, (z) => replica.loss(z, payload));
          [batch.loss, batch.gradient, ...Object.values(batch.metrics)].forEach((t) => tf.keep(t));
          const g = tf.gather(batch.gradient, tf.tensor1d(rows, "int32"));
          return { loss: tf.sum(tf.mul(z, g)) as tf.Scalar };
        }),
    );
    x.dispose();
    own.loss.dispose();
    batch!.gradient.dispose();
    try {
      return {
        loss: batch!.loss,
        metrics: batch!.metrics,
        grads: this.#allReduce(replica, own.grads),
      };
    } finally {
      tf.dispose([...own.grads.values()]);
    }
  }

  /** Every replica's gradients summed in rank order (the same sum, bit for bit, everywhere). */
  #allReduce(
    replica: Replica<unknown>,
    grads: Map<string, tf.Tensor>,
  ): Map<string, tf.Tensor> {
    const names = [...replica.model.parameters().keys()];
    const n = this.#parameterCount;
    let at = this.rank * n;
    for (const name of names) {
      const g = grads.get(name)!.dataSync();
      this.#grads.set(g, at);
      at += g.length;
    }
    this.barrier(); // every replica's gradients are in place
    const sum = new Float32Array(n);
    for (let r = 0; r < this.ranks; r++) {
      const part = this.#grads.subarray(r * n, (r + 1) * n);
      for (let i = 0; i < n; i++) sum[i] += part[i];
    }
    this.barrier(); // every replica has read them: the next step may write
    const out = new Map<string, tf.Tensor>();
    at = 0;
    for (const name of names) {
      const shape = grads.get(name)!.shape;
      const size = shape.reduce((a, b) => a * b, 1);
      out.set(name, tf.tensor(sum.subarray(at, at + size), shape));
      at += size;
    }
    return out;
  }
}

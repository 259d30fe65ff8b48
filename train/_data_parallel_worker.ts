// Copyright 2026 the simclr authors. MIT license.
// Internal: the entry point of a data-parallel worker (one replica). It builds its replica
// from the caller's module, takes the main process's weights and optimiser state, and then
// runs each step it is sent, exchanging outputs and gradients through shared memory.
import * as tf from "@tensorflow/tfjs-core";
import { AdamW, type AdamWOptions } from "./adamw.ts";
import type { BatchPart } from "./_output_gradients.ts";
import { type Replica, type SharedBuffers, SharedStep } from "./_shared_step.ts";
import { applyGradients } from "./train_step.ts";
import { parameterDigest } from "./_output_gradients.ts";

/** The messages the main process sends (see data_parallel.ts). */
export type WorkerMessage =
  | {
    type: "init";
    module: string;
    config: unknown;
    buffers: SharedBuffers;
    rank: number;
    ranks: number;
    timeoutMs: number;
    optimizer: AdamWOptions;
  }
  | {
    type: "state";
    variables: [string, tf.DataType, number[], tf.TypedArray][];
    optimizer: { step: number; moments: [string, number[], Float32Array, Float32Array][] };
  }
  | { type: "step"; lr: number; batchSize: number; part: BatchPart; payload: unknown }
  | { type: "checksum" };

/** This worker's global scope (typed here: a triple-slash `deno.worker` lib cannot be published). */
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((event: MessageEvent<WorkerMessage>) => void) | null;
};

let replica: Replica | undefined;
let optimizer: AdamW | undefined;
let shared: SharedStep | undefined;

async function handle(message: WorkerMessage): Promise<void> {
  if (message.type === "init") {
    const mod = await import(message.module);
    replica = await mod.createReplica(message.config) as Replica;
    optimizer = new AdamW(replica.model.parameters(), message.optimizer);
    shared = new SharedStep(message.buffers, message.rank, message.ranks, message.timeoutMs);
    scope.postMessage({ type: "ready" });
  } else if (message.type === "state") {
    const variables = new Map([
      ...replica!.model.parameters(),
      ...replica!.model.buffers(),
    ]);
    tf.tidy(() => {
      for (const [name, dtype, shape, values] of message.variables) {
        variables.get(name)!.assign(tf.tensor(values, shape, dtype));
      }
    });
    const { step, moments } = message.optimizer;
    const expAvg = new Map(moments.map(([n, shape, m]) => [n, tf.tensor(m, shape)]));
    const expAvgSq = new Map(moments.map(([n, shape, , v]) => [n, tf.tensor(v, shape)]));
    optimizer!.loadState({ step, expAvg, expAvgSq });
    tf.dispose([...expAvg.values(), ...expAvgSq.values()]);
  } else if (message.type === "checksum") {
    scope.postMessage({ type: "checksum", value: await parameterDigest(replica!.model) });
  } else {
    optimizer!.lr = message.lr;
    const gradients = shared!.gradients(replica!, message.part, message.batchSize, message.payload);
    await applyGradients(optimizer!, gradients);
    replica!.afterStep?.();
  }
}

// Messages are handled one at a time, in order: a step must finish its optimiser update
// before the next step's forward pass reads the weights.
let queue = Promise.resolve();
scope.onmessage = (event: MessageEvent<WorkerMessage>) => {
  queue = queue.then(() => handle(event.data)).catch((error) => {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    shared?.fail(text); // wakes the other replicas, which end the run with this message
    scope.postMessage({ type: "error", message: text, stack: (error as Error)?.stack });
  });
};

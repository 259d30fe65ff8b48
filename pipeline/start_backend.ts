// Copyright 2026 the simclr authors. MIT license.
import {
  type BackendRequest,
  nativeAvailable,
  selectBackend,
  type SelectedBackend,
} from "@simclr/backends";
import { UsageError } from "./usage_error.ts";

/** Networks narrower than this train on one worker per core under `auto`, wider ones on threads. */
export const WORKERS_BELOW_WIDTH = 32;

/** The backend a training run uses, and how many threads and workers. */
export interface Parallelism {
  /** The backend started. */
  backend: SelectedBackend;
  /** wasm threads in each process (1 elsewhere). */
  threads: number;
  /** Data-parallel replicas (1: this process alone). */
  workers: number;
}

/** What {@linkcode startBackend} reads of a run's settings. */
export interface BackendSettings {
  /** The backend asked for. */
  backend: BackendRequest;
  /** ResNet width (narrow networks get workers under `auto`). */
  width: number;
  /** wasm threads per process, or `auto`. */
  threads: number | "auto";
  /** Data-parallel replicas, or `auto`. */
  workers: number | "auto";
  /** Chunks per batch (above 1: one worker). */
  accumulate: number;
}

/**
 * Starts the run's backend and settles its threads and workers. `auto` follows one rule:
 * on a GPU backend (webgpu, tensorflow) one worker (the device is the parallelism). On the
 * native backend, one worker and every core as threads: oneDNN's kernels and BatchNorm use
 * them all, so replicas only add their exchanges (the demo preset, an epoch on two idle cores:
 * 14.0 s at 2x1 against 18.9 s at 1x2; ResNet-18 at 96 px 28.5 against 10.2 img/s). On wasm
 * and cpu, a narrow network (width below {@linkcode WORKERS_BELOW_WIDTH}) gets one worker per
 * core: its convolutions are small, so the augmentation, element-wise ops and BatchNorm that
 * wasm threads leave on one core weigh most, and replicas parallelise them too. A wider one
 * gets one worker and every core as threads, which speed up its convolutions and matrix
 * products without the replicas' exchanges. Measured on two cores (images per second, threads
 * x workers): width 8 at 32 px 233 (2x1) against 343 (1x2); width 16, 117 against 154; the
 * full ResNet-18 at 32 px 88 against 67, at 96 px 20.3 against 17.7 (`deno task bench`).
 * Workers need at least one image each, and `--accumulate` above 1 means one worker.
 *
 * @param settings The run's backend, width, threads, workers and chunks.
 * @param batchSize Images per batch.
 * @returns The backend, threads and workers.
 *
 * @example
 * ```ts
 * import { startBackend } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const settings = { backend: "cpu", width: 64, threads: "auto", workers: "auto", accumulate: 1 } as const;
 * const { backend, workers } = await startBackend(settings, 64);
 * assert.deepEqual([backend.name, workers], ["cpu", 1]);
 * ```
 */
export async function startBackend(
  settings: BackendSettings,
  batchSize: number,
): Promise<Parallelism> {
  const cores = navigator.hardwareConcurrency;
  // Settled before the backend starts: wasm's pool of threads is fixed at its start.
  const native = settings.backend === "native" ||
    (settings.backend === "auto" && nativeAvailable());
  const cpuWorkers = native || settings.accumulate > 1 || settings.width >= WORKERS_BELOW_WIDTH
    ? 1
    : Math.max(1, Math.min(cores, batchSize));
  const plannedWorkers = settings.workers === "auto" ? cpuWorkers : settings.workers;
  const threads = settings.threads === "auto"
    ? Math.max(1, Math.floor(cores / plannedWorkers))
    : settings.threads;
  const backend = await selectBackend(settings.backend, { threads });
  const onCpu = backend.name === "native" || backend.name === "wasm" || backend.name === "cpu";
  const workers = settings.workers === "auto" ? (onCpu ? cpuWorkers : 1) : settings.workers;
  if (workers > 1 && !onCpu) {
    throw new UsageError(
      `--workers is ${workers}: expected 1 on the ${backend.name} backend (workers are for CPUs)`,
    );
  }
  if (workers > batchSize) {
    throw new UsageError(`--workers is ${workers}: expected at most --batch-size (${batchSize})`);
  }
  if (workers > 1 && settings.accumulate > 1) {
    throw new UsageError(
      `--workers is ${workers} and --accumulate is ${settings.accumulate}: expected one of them to be 1`,
    );
  }
  if (workers > 1) console.error(`data-parallel: ${workers} workers x ${backend.threads} threads`);
  return { backend, threads: backend.threads, workers };
}

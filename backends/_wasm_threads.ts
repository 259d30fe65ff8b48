// Copyright 2026 the simclr authors. MIT license.
// Internal: starting tfjs-backend-wasm's multi-threaded build under Deno. Three things stand in
// its way, each worked around here for the duration of the backend's start-up only:
//
// 1. The backend reports no thread support wherever `process.versions.node` is set, which Deno
//    sets (tfjs issue 3830): the WASM_HAS_MULTITHREAD_SUPPORT flag is set to true.
// 2. Emscripten starts its pthread workers with `new (require("worker_threads").Worker)(url)`
//    where `url` is a `blob:` URL, which Deno's `node:worker_threads` refuses
//    (ERR_WORKER_PATH). A Worker subclass, put on the `worker_threads` module object while the
//    backend starts, runs the worker script itself (`eval: true`, minus its `location`
//    assignment, which `eval` workers cannot make) and, in the worker's first message, swaps
//    the Blob of the main script for the path of `tfjs-backend-wasm-threaded-simd.js`.
//    Emscripten also overwrites `globalThis.Worker` with the node one: it is put back.
// 3. The native side caps the pool at half the logical cores that `os.cpus()` reports (1 on
//    two cores) whatever `setThreadsCount()` asks: `os.cpus()` reports twice the wanted count
//    while the backend initialises.
import * as tf from "@tensorflow/tfjs-core";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** Where the threaded build's JavaScript lives (the worker script needs its path). */
function wasmOut(): string {
  const main = require.resolve("@tensorflow/tfjs-backend-wasm");
  return main.replace(/dist\/[^/]+$/, "wasm-out/");
}

/**
 * Runs `start` (which must initialise the wasm backend) with `threads` threads enabled, and
 * undoes every patch afterwards, whether `start` succeeds or not.
 */
export async function withWasmThreads<T>(
  threads: number,
  setThreadsCount: (n: number) => void,
  start: () => Promise<T>,
): Promise<T> {
  const workerThreads = require("node:worker_threads") as {
    Worker: new (...a: never[]) => unknown;
  };
  const os = require("node:os") as { cpus: () => unknown[] };
  const dir = wasmOut();
  // The worker script is a template literal in the package: its "\n" escapes became newlines.
  const source = (require(`${dir}tfjs-backend-wasm-threaded-simd.worker.js`) as {
    wasmWorkerContents: string;
  }).wasmWorkerContents.replace("location:{href:__filename},", "").replace(/\n/g, "\\n");
  const mainScript = `${dir}tfjs-backend-wasm-threaded-simd.js`;
  const NodeWorker = workerThreads.Worker as unknown as new (
    script: string,
    options: Record<string, unknown>,
  ) => { postMessage(message: unknown, transfer?: unknown): void; ref(): void; unref(): void };
  // The pool must not keep the process alive once the program is done: Emscripten refs a
  // worker while it runs a pthread, and XNNPACK's pool threads run for good. But while the
  // backend starts, the workers' "loaded" messages are what the start waits for: they stay
  // referenced until then.
  const pool: { unref(): void }[] = [];
  let started = false;
  class PthreadWorker extends NodeWorker {
    constructor(_url: unknown, options: Record<string, unknown> = {}) {
      super(source, { ...options, eval: true });
      pool.push(this);
      if (started) this.unref();
    }
    override ref(): void {
      if (!started) super.ref();
    }
    override postMessage(message: unknown, transfer?: unknown): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown };
      if (m?.cmd === "load" && typeof m.urlOrBlob !== "string") {
        message = { ...m, urlOrBlob: mainScript };
      }
      super.postMessage(message, transfer);
    }
  }
  const cpus = os.cpus;
  const webWorker = globalThis.Worker;
  workerThreads.Worker = PthreadWorker as unknown as typeof workerThreads.Worker;
  os.cpus = () => Array.from({ length: 2 * threads }, () => cpus()[0]);
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", true);
  setThreadsCount(threads);
  try {
    const result = await start();
    started = true;
    pool.forEach((worker) => worker.unref());
    return result;
  } finally {
    workerThreads.Worker = NodeWorker as unknown as typeof workerThreads.Worker;
    os.cpus = cpus;
    globalThis.Worker = webWorker;
  }
}

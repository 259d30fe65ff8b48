// Copyright 2026 the simclr authors. MIT license.

/**
 * The module URL that `ReplicaTrainer.start({ module, config })` of `@simclr/train` hands to
 * data-parallel workers for a method's replica: its `createReplica(config)` looks the method up
 * by `config.method` in `METHODS` and builds the same replica as the main process.
 *
 * @example
 * ```ts
 * import { METHOD_REPLICA_MODULE } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const { createReplica } = await import(METHOD_REPLICA_MODULE);
 * assert.equal(typeof createReplica, "function");
 * ```
 */
export const METHOD_REPLICA_MODULE: string = new URL("./_worker_replica.ts", import.meta.url).href;

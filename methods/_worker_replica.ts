// Copyright 2026 the simclr authors. MIT license.
// Internal: what a data-parallel worker loads (METHOD_REPLICA_MODULE). It gets a method's name
// and config, and builds the same replica as the main process.
import type { MethodConfig, MethodReplica } from "./method.ts";
import { methodByName } from "./registry.ts";

/** The replica of `config.method`'s step (the worker protocol's `createReplica`). */
export function createReplica(config: MethodConfig): Promise<MethodReplica> {
  return methodByName(config.method).createReplica(config);
}

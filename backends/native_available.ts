// Copyright 2026 the simclr authors. MIT license.
import { dnnlOpens } from "./_dnnl.ts";

/**
 * Whether the native CPU backend can start here: oneDNN (`libdnnl.so.2`, or `$SIMCLR_DNNL`)
 * opens. `selectBackend("auto")` picks native then (unless a GPU backend comes first); a
 * caller that must settle threads before the backend starts (the wasm pool's size is fixed at
 * its start) asks this first. Registers nothing.
 *
 * @returns `true` when the library opens.
 *
 * @example
 * ```ts
 * import { nativeAvailable } from "@simclr/backends";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof nativeAvailable(), "boolean");
 * ```
 */
export function nativeAvailable(): boolean {
  return dnnlOpens();
}

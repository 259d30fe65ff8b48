// Copyright 2026 the simclr authors. MIT license.
/**
 * The steps a user runs, as functions whose settings mirror the commands' flags:
 * {@linkcode embed} (a vector per image of a data folder) and {@linkcode neighbours} (search
 * over them, near-duplicates).
 *
 * @example
 * ```ts
 * import { embed, neighbours } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(typeof embed, "function");
 * assert.equal(typeof neighbours, "function");
 * ```
 *
 * @module
 */
export * from "./usage_error.ts";
export * from "./embed.ts";
export * from "./neighbours.ts";

// Copyright 2026 the simclr authors. MIT license.
/**
 * "A missing file is not an error here": the one place that turns `NotFound` into `null`.
 *
 * @module
 */

/**
 * Awaits a file operation and gives `null` when the file does not exist; any other error
 * (permissions, a folder where a file was expected...) is thrown as it is.
 *
 * @param operation A pending file operation, e.g. `Deno.readTextFile(path)`.
 * @returns Its result, or `null` when it failed with `Deno.errors.NotFound`.
 *
 * @example
 * ```ts
 * import { nullIfMissing } from "@simclr/internal/null-if-missing";
 * import assert from "node:assert/strict";
 *
 * assert.equal(await nullIfMissing(Deno.readTextFile("/no/such/file")), null);
 * ```
 */
export async function nullIfMissing<T>(operation: Promise<T>): Promise<T | null> {
  try {
    return await operation;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

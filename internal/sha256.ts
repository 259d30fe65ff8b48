// Copyright 2026 the simclr authors. MIT license.
/**
 * Content digests, for cache keys.
 *
 * @module
 */

/**
 * The SHA-256 digest of `data` as lowercase hex.
 *
 * @param data Bytes, or text hashed as UTF-8.
 * @returns 64 hex digits.
 *
 * @example
 * ```ts
 * import { sha256Hex } from "@simclr/internal/sha256";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   await sha256Hex("abc"),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * );
 * ```
 */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string"
    ? new TextEncoder().encode(data)
    : data.buffer instanceof ArrayBuffer
    ? data as Uint8Array<ArrayBuffer>
    : Uint8Array.from(data); // digest() takes no SharedArrayBuffer views
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

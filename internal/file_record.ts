// Copyright 2026 the simclr authors. MIT license.
/**
 * What a checkpoint's JSON records of its files (size and SHA-256), and the check of a file
 * against it.
 *
 * @module
 */
import { sha256Hex } from "./sha256.ts";

/** A file's size and SHA-256, as recorded beside it to verify it when it is read. */
export interface FileRecord {
  /** The file's size. */
  bytes: number;
  /** The SHA-256 of its bytes, as lowercase hex. */
  sha256: string;
}

/**
 * The size and SHA-256 of `bytes`.
 *
 * @param bytes The file's bytes.
 * @returns Its record.
 *
 * @example
 * ```ts
 * import { fileRecord } from "@simclr/internal/file-record";
 * import assert from "node:assert/strict";
 *
 * const record = await fileRecord(new TextEncoder().encode("abc"));
 * assert.deepEqual(record, {
 *   bytes: 3,
 *   sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
 * });
 * ```
 */
export async function fileRecord(bytes: Uint8Array): Promise<FileRecord> {
  return { bytes: bytes.length, sha256: await sha256Hex(bytes) };
}

/**
 * What is wrong with file `path` (its `bytes`) against `record`, as written in `recordPath`:
 * `null` when it matches, else the sentence a `CheckpointError` says, naming both files.
 *
 * @param path The file checked.
 * @param bytes Its bytes.
 * @param record What `recordPath` records of it.
 * @param recordPath The file that holds the record.
 * @param digest The SHA-256 of `bytes` when already known (saves hashing them again).
 * @returns `null`, or what differs.
 *
 * @example
 * ```ts
 * import { checkFileRecord, fileRecord } from "@simclr/internal/file-record";
 * import assert from "node:assert/strict";
 *
 * const record = await fileRecord(new Uint8Array([1, 2, 3]));
 * assert.equal(await checkFileRecord("a.bin", new Uint8Array([1, 2, 3]), record, "a.json"), null);
 * assert.equal(
 *   await checkFileRecord("a.bin", new Uint8Array([1, 2]), record, "a.json"),
 *   "checkpoint a.bin is damaged: 2 bytes, expected 3 (as a.json records; truncated?)",
 * );
 * ```
 */
export async function checkFileRecord(
  path: string,
  bytes: Uint8Array,
  record: FileRecord,
  recordPath: string,
  digest?: string,
): Promise<string | null> {
  if (bytes.length !== record.bytes) {
    return `checkpoint ${path} is damaged: ${bytes.length} bytes, expected ${record.bytes} ` +
      `(as ${recordPath} records; truncated?)`;
  }
  if ((digest ?? await sha256Hex(bytes)) !== record.sha256) {
    return `checkpoint ${path} is damaged: its SHA-256 differs from the one ${recordPath} records`;
  }
  return null;
}

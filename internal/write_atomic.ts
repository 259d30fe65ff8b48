// Copyright 2026 the simclr authors. MIT license.
/**
 * Atomic file writes: nothing half-written is ever seen under the final name.
 *
 * @module
 */
import { WriteError } from "./write_error.ts";

/** Options of {@linkcode writeFileAtomic} and {@linkcode writeTemporary}. */
export interface WriteOptions {
  /**
   * Flush the file to the device (`fsync`) before it is renamed, and the folder after, so
   * that a crash of the machine (not only of the process) leaves the old file or the whole new
   * one. Default false.
   */
  sync?: boolean;
}

/**
 * Writes `data` to a new temporary file beside `path` (the same folder, so that a rename is
 * atomic), flushed to the device with `sync`. A failed write removes it and throws a
 * {@linkcode WriteError} naming `path` when the storage is to blame (full, read-only...).
 *
 * @param path The file the temporary one will be renamed to.
 * @param data Bytes, or text written as UTF-8.
 * @param options Whether to flush it to the device.
 * @returns The temporary file's path.
 *
 * @example
 * ```ts
 * import { writeTemporary } from "@simclr/internal/write-atomic";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const temporary = await writeTemporary(`${dir}/a.txt`, "hello", { sync: true });
 * assert.equal(await Deno.readTextFile(temporary), "hello");
 * await Deno.rename(temporary, `${dir}/a.txt`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeTemporary(
  path: string,
  data: Uint8Array | string,
  options: WriteOptions = {},
): Promise<string> {
  const temporary = `${path}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`;
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  try {
    const file = await Deno.open(temporary, { write: true, createNew: true });
    try {
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      if (options.sync) await file.sync();
    } finally {
      file.close();
    }
    return temporary;
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw WriteError.from(path, error) ?? error;
  }
}

/**
 * Flushes a folder's entries (a rename or a new file in it) to the device, where the system
 * allows it (a no-op elsewhere).
 *
 * @param dir The folder.
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { syncFolder } from "@simclr/internal/write-atomic";
 *
 * await syncFolder(Deno.cwd());
 * ```
 */
export async function syncFolder(dir: string): Promise<void> {
  let folder: Deno.FsFile;
  try {
    folder = await Deno.open(dir, { read: true });
  } catch {
    return; // e.g. Windows: folders cannot be opened
  }
  try {
    await folder.sync();
  } catch {
    // some file systems refuse to flush a folder; the rename itself is still atomic
  } finally {
    folder.close();
  }
}

/**
 * Writes `data` to a temporary file beside `path`, then renames it over `path` (atomic on one
 * file system), so readers and a crash mid-write never see a half-written file. The temporary
 * file is removed when the write fails; a failure of the storage (a full disk, a read-only
 * file system...) is a {@linkcode WriteError} that names `path`.
 *
 * @param path The file to write.
 * @param data Bytes, or text written as UTF-8.
 * @param options `sync`: flush the file and its folder to the device, for crashes of the
 *   machine too.
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { writeFileAtomic } from "@simclr/internal/write-atomic";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.txt`, "hello");
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "hello");
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.txt"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array | string,
  options: WriteOptions = {},
): Promise<void> {
  const temporary = await writeTemporary(path, data, options);
  try {
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw WriteError.from(path, error) ?? error;
  }
  if (options.sync) await syncFolder(parentOf(path));
}

/** The folder of `path` (`.` for a bare name). */
function parentOf(path: string): string {
  const slash = Math.max(path.lastIndexOf("/"), path.lastIndexOf("\\"));
  return slash < 0 ? "." : slash === 0 ? "/" : path.slice(0, slash);
}

/**
 * Writes `value` as indented JSON (with a final newline) through {@linkcode writeFileAtomic}.
 *
 * @param path The file to write.
 * @param value Anything `JSON.stringify` accepts.
 * @param options As {@linkcode writeFileAtomic}'s.
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { writeJsonAtomic } from "@simclr/internal/write-atomic";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile();
 * await writeJsonAtomic(path, { epochs: 5 });
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(path)), { epochs: 5 });
 * await Deno.remove(path);
 * ```
 */
export async function writeJsonAtomic(
  path: string,
  value: unknown,
  options: WriteOptions = {},
): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n", options);
}

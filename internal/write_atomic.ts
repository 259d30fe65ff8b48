// Copyright 2026 the simclr authors. MIT license.
/**
 * Atomic file writes: nothing half-written is ever seen under the final name.
 *
 * @module
 */

/**
 * Writes `data` to a temporary file beside `path`, then renames it over `path` (atomic on one
 * file system), so readers and a crash mid-write never see a half-written file. The temporary
 * file is removed when the write fails.
 *
 * @param path The file to write.
 * @param data Bytes, or text written as UTF-8.
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
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = `${path}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`;
  try {
    if (typeof data === "string") await Deno.writeTextFile(temporary, data);
    else await Deno.writeFile(temporary, data);
    await Deno.rename(temporary, path);
  } catch (error) {
    await Deno.remove(temporary).catch(() => {});
    throw error;
  }
}

/**
 * Writes `value` as indented JSON (with a final newline) through {@linkcode writeFileAtomic}.
 *
 * @param path The file to write.
 * @param value Anything `JSON.stringify` accepts.
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
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value, null, 2) + "\n");
}

// Internal file helpers of the STL10 reader and downloader.
import { nullIfMissing } from "@simclr/internal/null-if-missing";

/** Returns the file's size in bytes, or `null` when it does not exist. */
export async function fileSize(path: string): Promise<number | null> {
  const info = await nullIfMissing(Deno.stat(path));
  return info?.isFile ? info.size : null;
}

/** Writes every byte of `data` to `file`. */
export async function writeAll(file: Deno.FsFile, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) off += await file.write(data.subarray(off));
}

/**
 * Reads `buf.length` bytes at `offset`; returns how many bytes were read
 * (less than `buf.length` only at end of file).
 */
export async function readAt(file: Deno.FsFile, offset: number, buf: Uint8Array): Promise<number> {
  await file.seek(offset, Deno.SeekMode.Start);
  let got = 0;
  while (got < buf.length) {
    const n = await file.read(buf.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}

/** Joins path parts with `/` (POSIX and Windows both accept it). */
export function joinPath(...parts: string[]): string {
  return parts.filter((p) => p !== "").join("/").replace(/\/{2,}/g, "/");
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * A file that could not be written because of its storage (a full disk, a read-only file
 * system, a quota, a file-size limit, permissions), as one error that names the file.
 *
 * @module
 */

/** What the system error codes that stop a write mean, for the message. */
const REASONS: Record<string, string> = {
  ENOSPC: "the disk is full",
  EDQUOT: "the disk quota is exhausted",
  EROFS: "the file system is read-only",
  EFBIG: "the file exceeds the file-size limit (ulimit -f)",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EIO: "an input/output error of the device",
};

/**
 * The code of one of those numbers on Linux and macOS (the same but for EDQUOT). A function,
 * not a table: a module-level `Deno` read would follow this module into the browser's bundle.
 */
function errnoCode(errno: string): string | undefined {
  const edquot = Deno.build.os === "darwin" ? "69" : "122";
  const codes: Record<string, string> = {
    1: "EPERM",
    5: "EIO",
    13: "EACCES",
    27: "EFBIG",
    28: "ENOSPC",
    30: "EROFS",
    [edquot]: "EDQUOT",
  };
  return codes[errno];
}

/**
 * A write that failed because of the storage it went to, not because of a bug: the message
 * names the file (the final name, not the temporary one it was written under) and what the
 * system said, e.g. `cannot write run/metrics.jsonl: the disk is full (No space left on
 * device (os error 28))`. `code` keeps the system's code (`ENOSPC`, `EROFS`...), `cause` the
 * original error. Commands print it as one line and exit 2.
 *
 * @example
 * ```ts
 * import { WriteError } from "@simclr/internal/write-error";
 * import assert from "node:assert/strict";
 *
 * const cause = Object.assign(new Error("No space left on device (os error 28)"), { code: "ENOSPC" });
 * const error = WriteError.from("run/last.safetensors", cause)!;
 * assert.equal(error.code, "ENOSPC");
 * assert.match(error.message, /^cannot write run\/last\.safetensors: the disk is full/);
 * assert.equal(WriteError.from("x", new TypeError("a bug")), null);
 * assert.match(error.withAdvice("free space").message, /\(os error 28\)\); free space$/);
 * ```
 */
export class WriteError extends Error {
  /**
   * Builds the error.
   *
   * @param path The file that could not be written.
   * @param code The system's error code, e.g. `"ENOSPC"`.
   * @param detail What the system said.
   * @param options `cause`: the original error.
   */
  constructor(
    readonly path: string,
    readonly code: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`cannot write ${path}: ${REASONS[code] ?? code} (${detail})`, options);
    this.name = "WriteError";
    this.#detail = detail;
  }

  #detail: string;

  /**
   * The same error with `advice` (what was kept, what to do) after its message.
   *
   * @param advice E.g. `the last checkpoint is intact: free space, then resume`.
   * @returns A new error.
   */
  withAdvice(advice: string): WriteError {
    const error = new WriteError(this.path, this.code, this.#detail, { cause: this.cause });
    error.message = `${this.message}; ${advice}`;
    return error;
  }

  /**
   * The {@linkcode WriteError} of a failed write of `path`, or `null` when `error` is not a
   * storage error (a bug keeps its own error). A `WriteError` is returned as it is.
   *
   * @param path The file being written.
   * @param error What the write threw.
   * @returns The error naming `path`, or `null`.
   */
  static from(path: string, error: unknown): WriteError | null {
    if (error instanceof WriteError) return error;
    if (!(error instanceof Error)) return null;
    // Deno sets `code` on most, not all, system errors (not on EFBIG): the errno tells then.
    const errno = error.message.match(/\(os error (\d+)\)/)?.[1];
    const known = Deno.build.os === "linux" || Deno.build.os === "darwin";
    const code = (error as { code?: unknown }).code ??
      (known && errno ? errnoCode(errno) : undefined);
    if (typeof code !== "string" || !(code in REASONS)) return null;
    // Deno names the temporary file: "No space left on device (os error 28): writefile 'x.tmp'".
    const detail = error.message.replace(/: \w+ '[^']*'$/, "");
    return new WriteError(path, code, detail, { cause: error });
  }
}

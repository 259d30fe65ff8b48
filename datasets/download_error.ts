// Copyright 2026 the simclr authors. MIT license.

/**
 * A download or extraction of STL10 that could not finish: the server refused or broke off,
 * the archive has the wrong size, or it holds a member that would land outside the target
 * folder. The message names the URL or file and what to do (most often: run again to resume).
 * Command-line tools print it as one line.
 *
 * @example
 * ```ts
 * import { DownloadError } from "@simclr/datasets";
 * import assert from "node:assert/strict";
 *
 * const error = new DownloadError("stl10_binary.tar.gz.part: downloaded 10 bytes, expected 20");
 * assert.equal(error.name, "DownloadError");
 * ```
 */
export class DownloadError extends Error {
  /**
   * Builds the error.
   *
   * @param message What went wrong, naming the URL or file.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DownloadError";
  }
}

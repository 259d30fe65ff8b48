// Copyright 2026 the simclr authors. MIT license.

/**
 * An image file that could not be decoded: truncated, corrupt, or in a format the reader does
 * not know. The message names the file and the reason; {@linkcode ImageDecodeError.path} holds
 * the file. Command-line tools print it as one line (`--skip-broken` skips such files instead).
 *
 * @example
 * ```ts
 * import { ImageDecodeError } from "@simclr/datasets";
 * import assert from "node:assert/strict";
 *
 * const error = new ImageDecodeError("photos/a.jpg", "premature end of JPEG file");
 * assert.equal(error.message, "photos/a.jpg: cannot decode the image: premature end of JPEG file");
 * assert.equal(error.path, "photos/a.jpg");
 * ```
 */
export class ImageDecodeError extends Error {
  /** The file. */
  readonly path: string;
  /** Why it could not be decoded. */
  readonly reason: string;

  /**
   * Builds the error.
   *
   * @param path The file.
   * @param reason Why it could not be decoded (the decoder's words).
   * @param options The error that caused it, if any.
   */
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`${path}: cannot decode the image: ${reason}`, options);
    this.name = "ImageDecodeError";
    this.path = path;
    this.reason = reason;
  }
}

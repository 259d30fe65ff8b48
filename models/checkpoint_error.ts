// Copyright 2026 the simclr authors. MIT license.

/**
 * A checkpoint file that cannot be used: not a safetensors or PyTorch file, malformed, or
 * holding a network other than the one asked for. The message names the file and what was
 * expected; `cause` keeps the underlying error. Command-line tools print it as one line.
 *
 * @example
 * ```ts
 * import { CheckpointError, loadEncoder } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await assert.rejects(() => loadEncoder(new Uint8Array([1, 2, 3])), CheckpointError);
 * ```
 */
export class CheckpointError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is wrong, naming the file.
   * @param options `cause`: the underlying error.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CheckpointError";
  }
}

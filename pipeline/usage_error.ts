// Copyright 2026 the simclr authors. MIT license.

/**
 * A mistake in a pipeline function's configuration or input (a bad flag, data without what a
 * stage needs): the commands print it as one line and exit with code 2. Its message names the
 * flag (as `--flag-name`) or file and what was expected.
 *
 * @example
 * ```ts
 * import { UsageError } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const error = new UsageError("--epochs is 0: expected a number >= 1");
 * assert.equal(error.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is wrong, naming the flag or file and what was expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

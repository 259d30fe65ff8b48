// Copyright 2026 the simclr authors. MIT license.

/**
 * A setting of a pipeline function (a flag of the command behind it) that is wrong: the message
 * names the setting and what was expected. The commands print it as one line, exit code 2.
 *
 * @example
 * ```ts
 * import { UsageError } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const error = new UsageError("--k is 0: expected a positive integer");
 * assert.equal(error.name, "UsageError");
 * ```
 */
export class UsageError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is wrong, naming the setting and what was expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

// Copyright 2026 the simclr authors. MIT license.

/**
 * An STL10 folder whose files are not what STL10's format says: a size that is not a whole
 * number of images, labels outside 1..10, counts that disagree between files, a bad
 * `fold_indices.txt`. The message names the file and what was expected. Command-line tools
 * print it as one line.
 *
 * @example
 * ```ts
 * import { openSTL10, STL10FormatError } from "@simclr/datasets";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeFile(`${dir}/test_X.bin`, new Uint8Array(5)); // not a whole image
 * await Deno.writeFile(`${dir}/test_y.bin`, new Uint8Array(0));
 * await assert.rejects(() => openSTL10(dir, "test"), STL10FormatError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class STL10FormatError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is wrong, naming the file and what was expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "STL10FormatError";
  }
}

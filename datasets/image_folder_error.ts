// Copyright 2026 the simclr authors. MIT license.

/**
 * A data folder that is not laid out as expected: no images at all, images of a labelled split
 * outside class folders, a folder that is neither an image folder nor an `stl10_binary` one.
 * The message names the folder and what was expected. Command-line tools print it as one line.
 *
 * @example
 * ```ts
 * import { ImageFolderError, openImageFolder } from "@simclr/datasets";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await assert.rejects(() => openImageFolder(dir), ImageFolderError);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class ImageFolderError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is wrong, naming the folder and what was expected.
   */
  constructor(message: string) {
    super(message);
    this.name = "ImageFolderError";
  }
}

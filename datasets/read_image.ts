// Copyright 2026 the simclr authors. MIT license.
import { checkInteger } from "@simclr/internal/checks";
import { decodeImage } from "./_decode_image.ts";

/** Options of {@linkcode readImage}. */
export interface ReadImageOptions {
  /** Side of the result: shorter side resized to it, then centre-cropped. Default 96. */
  size?: number;
}

/**
 * Reads one image file as {@linkcode openImageFolder} stores each image: decoded (JPEG, PNG,
 * WebP, GIF's first frame, BMP, TIFF, AVIF; EXIF orientation applied, alpha dropped, CMYK and
 * ICC profiles to sRGB, 16 bits to 8), resized as torchvision's `Resize(size)` +
 * `CenterCrop(size)` (bilinear, antialiased). A file that fails to decode is an
 * {@linkcode ImageDecodeError} naming it.
 *
 * @param path The image file.
 * @param options The side of the result.
 * @returns `size * size * 3` bytes, HWC row-major.
 *
 * @example A 30x20 red PNG becomes 8x8 red pixels
 * ```ts
 * import { readImage } from "@simclr/datasets";
 * import sharp from "sharp";
 * import assert from "node:assert/strict";
 *
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * const create = { width: 30, height: 20, channels: 3 as const, background: { r: 255, g: 0, b: 0 } };
 * await Deno.writeFile(path, await sharp({ create }).png().toBuffer());
 * const pixels = await readImage(path, { size: 8 });
 * assert.equal(pixels.length, 8 * 8 * 3);
 * assert.deepEqual([...pixels.subarray(0, 3)], [255, 0, 0]);
 * await Deno.remove(path);
 * ```
 */
export async function readImage(path: string, options: ReadImageOptions = {}): Promise<Uint8Array> {
  const size = checkInteger("readImage()", "options.size", options.size ?? 96, { min: 1 });
  return await decodeImage(await Deno.readFile(path), path, size);
}

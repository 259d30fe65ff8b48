// Copyright 2026 the simclr authors. MIT license.
// One image file to `size x size` RGB bytes, as torchvision's ImageFolder loader + Resize(size) +
// CenterCrop(size) on a PIL image: sharp (libvips) decodes and resizes, BMP goes through _bmp.ts.
import sharp from "sharp";
import { decodeBMP, isBMP, type RawRGB } from "./_bmp.ts";
import { ImageDecodeError } from "./image_decode_error.ts";

// libvips' operation cache holds recent inputs and results for reuse; every image here is new,
// and keeping it halved the throughput (186 against 342 images/s on two cores).
sharp.cache(false);

/** The decoder's name and version, part of the cache key. */
export const DECODER_VERSION = `sharp ${sharp.versions.sharp} libvips ${sharp.versions.vips}`;

/** Python's `round()` (half to even), as torchvision's `CenterCrop` offsets use it. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The resize and crop of torchvision's `Resize(size)` (shorter side to `size`, the longer one
 * `int(size * long / short)`) then `CenterCrop(size)` (offsets `round((side - size) / 2)`).
 */
export function resizedCrop(
  width: number,
  height: number,
  size: number,
): { width: number; height: number; left: number; top: number } {
  const [w, h] = width <= height
    ? [size, Math.floor((size * height) / width)]
    : [Math.floor((size * width) / height), size];
  return {
    width: w,
    height: h,
    left: roundHalfEven((w - size) / 2),
    top: roundHalfEven((h - size) / 2),
  };
}

const FAIL_ON = "error" as const;

/** Resizes and crops raw RGB (alpha already dropped) to `size x size x 3`. */
async function fromRaw(raw: RawRGB, size: number): Promise<Uint8Array> {
  const box = resizedCrop(raw.width, raw.height, size);
  const data = await sharp(raw.data, {
    raw: { width: raw.width, height: raw.height, channels: 3 },
  })
    .resize(box.width, box.height, { fit: "fill", kernel: "linear" })
    .extract({ left: box.left, top: box.top, width: size, height: size })
    .raw()
    .toBuffer();
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Decodes the image in `bytes` and resizes it as torchvision's `Resize(size)` +
 * `CenterCrop(size)` with PIL's bilinear (antialiased) filter. EXIF orientation is applied;
 * an alpha channel is dropped (PIL's `convert("RGB")`), greyscale is repeated, 16 bits become
 * their high byte, CMYK and embedded ICC profiles are converted to sRGB; a GIF gives its first
 * frame. Throws {@linkcode ImageDecodeError} naming `path`.
 */
export async function decodeImage(
  bytes: Uint8Array,
  path: string,
  size: number,
): Promise<Uint8Array> {
  try {
    if (isBMP(bytes)) return await fromRaw(decodeBMP(bytes), size);
    const meta = await sharp(bytes, { failOn: FAIL_ON }).metadata();
    if (meta.hasAlpha) {
      // Drop the alpha before resizing: sharp premultiplies by it while resizing, PIL does not.
      const { data, info } = await sharp(bytes, { failOn: FAIL_ON }).autoOrient().removeAlpha()
        .toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`${info.channels} channels after decoding`);
      return await fromRaw({ width: info.width, height: info.height, data }, size);
    }
    const swap = (meta.orientation ?? 1) >= 5;
    const width = swap ? meta.pageHeight ?? meta.height : meta.width;
    const height = swap ? meta.width : meta.pageHeight ?? meta.height;
    const box = resizedCrop(width, height, size);
    const { data, info } = await sharp(bytes, { failOn: FAIL_ON })
      // A pipeline colour space turns JPEG shrink-on-load off: decode whole, as PIL does.
      .pipelineColourspace("srgb")
      .autoOrient()
      .resize(box.width, box.height, { fit: "fill", kernel: "linear", fastShrinkOnLoad: false })
      .extract({ left: box.left, top: box.top, width: size, height: size })
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== size * size * 3) {
      throw new Error(`${info.channels} channels of ${info.width}x${info.height} after decoding`);
    }
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    const reason = ((error as Error).message ?? String(error)).split("\n")[0].trim();
    throw new ImageDecodeError(path, reason, { cause: error });
  }
}

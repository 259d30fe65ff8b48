// Copyright 2026 the simclr authors. MIT license.
// One image file to `size x size` RGB bytes, as torchvision's ImageFolder loader + Resize(size) +
// CenterCrop(size) on a PIL image: libjpeg-turbo decodes plain JPEGs (_turbojpeg.ts), _bmp.ts BMP,
// sharp (libvips) the rest; every image is resized by PIL's bilinear resize in wasm (_resample.ts).
import sharp from "sharp";
import { roundHalfEven } from "@simclr/internal/round-half-even";
import { decodeBMP, isBMP, type RawRGB } from "./_bmp.ts";
import { decodePlainJpeg, turbojpegAvailable } from "./_turbojpeg.ts";
import { resampleCrop } from "./_resample.ts";
import { ImageDecodeError } from "./image_decode_error.ts";

// libvips' operation cache holds recent inputs and results for reuse; every image here is new,
// and keeping it halved the throughput (186 against 342 images/s on two cores).
sharp.cache(false);

/** The decoders' names and versions, part of the cache key (with the JPEG fast path or not). */
export function decoderVersion(): string {
  const jpeg = turbojpegAvailable() ? ", JPEG: libturbojpeg" : "";
  return `sharp ${sharp.versions.sharp} libvips ${sharp.versions.vips}${jpeg}, resize: PIL bilinear 1`;
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

/**
 * Resizes and crops raw RGB (alpha already dropped) to `size x size x 3`, shrinking or
 * enlarging, with PIL's bilinear resize to the bit (_resample.ts: wasm, about 0.1 ms for a photo
 * of a few hundred pixels, where a sharp call costs 1.3 ms whatever the size).
 */
function fromRaw(raw: RawRGB, size: number): Uint8Array {
  const box = resizedCrop(raw.width, raw.height, size);
  return resampleCrop(raw, { ...box, cropWidth: size, cropHeight: size });
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
    return await decodeOnce(bytes, path, size);
  } catch (error) {
    // libvips keeps one error buffer for all threads: a failure among concurrent decodes can
    // come back as "Unknown error". Decoded again alone, the file says what is wrong with it.
    if (!(error instanceof ImageDecodeError) || !/^unknown error$/i.test(error.reason)) throw error;
    return await decodeOnce(bytes, path, size);
  }
}

async function decodeOnce(bytes: Uint8Array, path: string, size: number): Promise<Uint8Array> {
  try {
    if (isBMP(bytes)) return fromRaw(decodeBMP(bytes), size);
    const jpeg = await decodePlainJpeg(bytes);
    if (jpeg !== null) return fromRaw(jpeg, size);
    // The other formats: sharp decodes whole (the alpha dropped before resizing, as PIL's
    // convert("RGB"); a pipeline colour space decodes 16-bit images and CMYK to 8-bit sRGB),
    // and the resize is PIL's as for JPEGs.
    const { data, info } = await sharp(bytes, { failOn: FAIL_ON }).pipelineColourspace("srgb")
      .autoOrient().removeAlpha().toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after decoding`);
    return fromRaw({ width: info.width, height: info.height, data }, size);
  } catch (error) {
    if (error instanceof ImageDecodeError) throw error;
    const reason = ((error as Error).message ?? String(error)).split("\n")[0].trim();
    throw new ImageDecodeError(path, reason, { cause: error });
  }
}

// Copyright 2026 the simclr authors. MIT license.
// One image file to `size x size` RGB bytes, as torchvision's ImageFolder loader + Resize(size) +
// CenterCrop(size) on a PIL image: sharp (libvips) decodes and resizes, BMP goes through _bmp.ts.
import sharp from "sharp";
import { roundHalfEven } from "@simclr/internal/round-half-even";
import { decodeBMP, isBMP, type RawRGB } from "./_bmp.ts";
import { decodePlainJpeg, turbojpegAvailable } from "./_turbojpeg.ts";
import { ImageDecodeError } from "./image_decode_error.ts";

// libvips' operation cache holds recent inputs and results for reuse; every image here is new,
// and keeping it halved the throughput (186 against 342 images/s on two cores).
sharp.cache(false);

/** The decoders' names and versions, part of the cache key (with the JPEG fast path or not). */
export function decoderVersion(): string {
  const jpeg = turbojpegAvailable() ? ", JPEG: libturbojpeg" : "";
  return `sharp ${sharp.versions.sharp} libvips ${sharp.versions.vips}${jpeg}`;
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

/** `raw` with its edge pixels repeated once around it: `(width + 2) x (height + 2)`. */
function padByOne(raw: RawRGB): RawRGB {
  const { width, height, data } = raw;
  const row = (width + 2) * 3;
  const out = new Uint8Array(row * (height + 2));
  for (let y = 0; y < height; y++) {
    const at = (y + 1) * row;
    const line = data.subarray(y * width * 3, (y + 1) * width * 3);
    out.set(line, at + 3);
    out.set(line.subarray(0, 3), at);
    out.set(line.subarray(line.length - 3), at + row - 3);
  }
  out.copyWithin(0, row, 2 * row);
  out.copyWithin((height + 1) * row, height * row, (height + 1) * row);
  return { width: width + 2, height: height + 2, data: out };
}

/**
 * Resizes and crops raw RGB (alpha already dropped) to `size x size x 3`. Shrinking goes
 * through libvips' reduce (linear kernel, antialiased); enlarging through an affine transform
 * placed as PIL places its samples (`(x + 0.5) / scale - 0.5`), on the image padded by its edge
 * pixels (PIL clamps at the edges; libvips' affine would blend in black).
 */
async function fromRaw(raw: RawRGB, size: number): Promise<Uint8Array> {
  const box = resizedCrop(raw.width, raw.height, size);
  if (box.width > raw.width || box.height > raw.height) {
    const padded = padByOne(raw);
    const [sx, sy] = [box.width / raw.width, box.height / raw.height];
    // Output pixel X of the padded image samples (X - odx) / sx: odx = 1 - (1 + sx) / 2 puts
    // PIL's sample of pixel X at X + 1.
    const { data, info } = await sharp(padded.data, {
      raw: { width: padded.width, height: padded.height, channels: 3 },
    })
      .affine([[sx, 0], [0, sy]], {
        idx: 0,
        idy: 0,
        odx: 1 - (1 + sx) / 2,
        ody: 1 - (1 + sy) / 2,
        interpolator: "bilinear",
      })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The crop, row by row (sharp would extract before its affine transform).
    const out = new Uint8Array(size * size * 3);
    for (let y = 0; y < size; y++) {
      const from = ((y + box.top + 1) * info.width + box.left + 1) * 3;
      out.set(data.subarray(from, from + size * 3), y * size * 3);
    }
    return out;
  }
  const data = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: 3 } })
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
    if (isBMP(bytes)) return await fromRaw(decodeBMP(bytes), size);
    // Plain JPEGs: libjpeg-turbo decodes, sharp only resizes (see _turbojpeg.ts).
    const jpeg = await decodePlainJpeg(bytes);
    if (jpeg !== null) return await fromRaw(jpeg, size);
    const meta = await sharp(bytes, { failOn: FAIL_ON }).metadata();
    const swap = (meta.orientation ?? 1) >= 5;
    const width = swap ? meta.pageHeight ?? meta.height : meta.width;
    const height = swap ? meta.width : meta.pageHeight ?? meta.height;
    if (meta.hasAlpha || Math.min(width, height) < size) {
      // Decoded whole first: the alpha dropped before resizing (sharp premultiplies by it while
      // resizing, PIL ignores it), or an image to enlarge (see fromRaw).
      const { data, info } = await sharp(bytes, { failOn: FAIL_ON }).autoOrient().removeAlpha()
        .toColourspace("srgb").raw().toBuffer({ resolveWithObject: true });
      if (info.channels !== 3) throw new Error(`${info.channels} channels after decoding`);
      return await fromRaw({ width: info.width, height: info.height, data }, size);
    }
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

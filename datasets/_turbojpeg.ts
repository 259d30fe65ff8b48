// Copyright 2026 the simclr authors. MIT license.
// The JPEG fast path of _decode_image.ts: libjpeg-turbo's TurboJPEG API (Debian's libturbojpeg0)
// through Deno's FFI, with no compiled code of ours. Each sharp call costs about 1.3 ms of CPU
// whatever the image's size; on photos of a few hundred pixels that doubled the cost of decoding
// (libjpeg-turbo decodes a 420x313 JPEG in about 1 ms). The same library and settings as PIL's
// (libjpeg-turbo, accurate integer DCT, fancy upsampling), so the pixels are PIL's. Only plain
// JPEGs take it: RGB, YCbCr or greyscale, no EXIF rotation, no ICC profile; anything else, and
// any error or warning, is left to sharp (null), which says what is wrong with a broken file.
import type { RawRGB } from "./_bmp.ts";

const SYMBOLS = {
  tjInitDecompress: { parameters: [], result: "pointer" },
  tjDecompressHeader3: {
    parameters: ["pointer", "buffer", "u64", "buffer", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  // nonblocking: decodes run on Deno's blocking threads, as many at once as are awaited.
  tjDecompress2: {
    parameters: ["pointer", "buffer", "u64", "buffer", "i32", "i32", "i32", "i32", "i32"],
    result: "i32",
    nonblocking: true,
  },
} as const;

type TurboJPEG = Deno.DynamicLibrary<typeof SYMBOLS>;

/** Where libturbojpeg is looked for (Debian/Ubuntu, macOS Homebrew, Windows). */
const LIBRARY_NAMES = [
  "libturbojpeg.so.0",
  "libturbojpeg.so",
  "libturbojpeg.0.dylib",
  "libturbojpeg.dylib",
  "turbojpeg.dll",
];

const TJPF_RGB = 0;
/** sharp's default `limitInputPixels`: larger images are left to sharp, which refuses them. */
const MAX_PIXELS = 0x3fff * 0x3fff;
/** TJCS_RGB, TJCS_YCbCr, TJCS_GRAY: the colour spaces decoded here (not CMYK, YCCK). */
const PLAIN_COLOURSPACES = new Set([0, 1, 2]);

let library: TurboJPEG | null | undefined;

/**
 * libturbojpeg, opened once; `null` where it is missing (or lacks the TurboJPEG 2 API), FFI is
 * not granted (asked without a prompt), or `SIMCLR_TURBOJPEG=0` turns it off: then sharp
 * decodes every JPEG. `SIMCLR_TURBOJPEG=PATH` names the library to open.
 */
function openLibrary(): TurboJPEG | null {
  if (library !== undefined) return library;
  library = null;
  let setting: string | undefined;
  if (
    Deno.permissions.querySync({ name: "env", variable: "SIMCLR_TURBOJPEG" }).state === "granted"
  ) {
    setting = Deno.env.get("SIMCLR_TURBOJPEG");
  }
  if (setting === "0" || Deno.permissions.querySync({ name: "ffi" }).state !== "granted") {
    return library;
  }
  for (const name of setting !== undefined && setting !== "1" ? [setting] : LIBRARY_NAMES) {
    try {
      library = Deno.dlopen(name, SYMBOLS);
      break;
    } catch { /* not there, or no FFI permission */ }
  }
  return library;
}

/** Whether the fast path is on (part of the decoder's version: the cache key). */
export function turbojpegAvailable(): boolean {
  return openLibrary() !== null;
}

/** Decompressor handles not in use (a handle serves one decode at a time). */
const idle: Deno.PointerValue[] = [];

/**
 * Whether `bytes` is a JPEG that the fast path takes: no EXIF orientation other than 1 and no
 * ICC profile (sharp applies both; reading the markers up to the first scan).
 */
function plainJpeg(bytes: Uint8Array): boolean {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 2;
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return false;
    const marker = bytes[at + 1];
    if (marker === 0xff) { // fill byte
      at++;
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return true; // start of scan, end of image
    const length = view.getUint16(at + 2);
    const start = at + 4;
    const end = at + 2 + length;
    if (length < 2 || end > bytes.length) return false;
    if (marker === 0xe2 && tagIs(bytes, start, "ICC_PROFILE\0")) return false;
    if (
      marker === 0xe1 && tagIs(bytes, start, "Exif\0\0") &&
      exifOrientation(view, start + 6, end) !== 1
    ) {
      return false;
    }
    at = end;
  }
  return false;
}

function tagIs(bytes: Uint8Array, at: number, tag: string): boolean {
  if (at + tag.length > bytes.length) return false;
  for (let i = 0; i < tag.length; i++) if (bytes[at + i] !== tag.charCodeAt(i)) return false;
  return true;
}

/** The orientation tag (0x0112) of IFD0 of the TIFF structure at `tiff`; 1 when absent, 0 unreadable. */
function exifOrientation(view: DataView, tiff: number, end: number): number {
  if (tiff + 8 > end) return 0;
  const order = view.getUint16(tiff);
  if (order !== 0x4949 && order !== 0x4d4d) return 0;
  const little = order === 0x4949;
  const ifd = tiff + view.getUint32(tiff + 4, little);
  if (ifd + 2 > end) return 0;
  const count = view.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > end) return 0;
    if (view.getUint16(entry, little) === 0x0112) return view.getUint16(entry + 8, little);
  }
  return 1;
}

/**
 * Decodes a plain JPEG (see above) to RGB with libjpeg-turbo; `null` when the library is not
 * there, the file is not such a JPEG, or libjpeg-turbo reports any error or warning.
 */
export async function decodePlainJpeg(bytes: Uint8Array): Promise<RawRGB | null> {
  const lib = openLibrary();
  if (lib === null || !plainJpeg(bytes)) return null;
  const handle = idle.pop() ?? lib.symbols.tjInitDecompress();
  if (handle === null) return null;
  try {
    const [width, height, subsampling, colourspace] = [1, 2, 3, 4].map(() => new Int32Array(1));
    const length = BigInt(bytes.length);
    if (
      lib.symbols.tjDecompressHeader3(
        handle,
        bytes,
        length,
        width,
        height,
        subsampling,
        colourspace,
      ) !== 0
    ) {
      return null;
    }
    const pixels = width[0] * height[0];
    if (!PLAIN_COLOURSPACES.has(colourspace[0]) || pixels <= 0 || pixels > MAX_PIXELS) return null;
    const data = new Uint8Array(width[0] * height[0] * 3);
    const status = await lib.symbols.tjDecompress2(
      handle,
      bytes,
      length,
      data,
      width[0],
      0,
      height[0],
      TJPF_RGB,
      0,
    );
    return status === 0 ? { width: width[0], height: height[0], data } : null;
  } finally {
    idle.push(handle);
  }
}

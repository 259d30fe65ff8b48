// Copyright 2026 the simclr authors. MIT license.
// A small BMP reader: libvips (and so sharp) has no BMP loader without ImageMagick.

/** Raw RGB pixels of a decoded BMP. */
export interface RawRGB {
  width: number;
  height: number;
  /** HWC, 3 bytes a pixel, top row first. */
  data: Uint8Array;
}

/** Whether `bytes` start as a BMP file does ("BM"). */
export function isBMP(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * Decodes an uncompressed BMP (1, 4, 8-bit palette; 16, 24, 32-bit, with BI_BITFIELDS masks),
 * as PIL does: an alpha channel, if any, is dropped. Throws an `Error` saying what is wrong
 * (RLE compression, a truncated file) for the caller to wrap.
 */
export function decodeBMP(bytes: Uint8Array): RawRGB {
  if (!isBMP(bytes) || bytes.length < 26) throw new Error("not a BMP file");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dataOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  let width: number, height: number, bpp: number, compression = 0, colours = 0;
  if (headerSize === 12) { // BITMAPCOREHEADER
    width = view.getUint16(18, true);
    height = view.getInt16(20, true);
    bpp = view.getUint16(24, true);
  } else if (headerSize >= 40 && bytes.length >= 54) {
    width = view.getInt32(18, true);
    height = view.getInt32(22, true);
    bpp = view.getUint16(28, true);
    compression = view.getUint32(30, true);
    colours = view.getUint32(46, true);
  } else {
    throw new Error(`unknown BMP header of ${headerSize} bytes`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width < 1 || height < 1) throw new Error(`BMP of ${width}x${height} pixels`);
  if (compression !== 0 && compression !== 3) {
    throw new Error(`BMP compression ${compression} (RLE or embedded JPEG/PNG) is not supported`);
  }
  // Channel masks: BI_BITFIELDS gives them after the 40-byte header (or inside a V4/V5 header).
  let masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
  if (compression === 3) {
    const at = 14 + 40;
    masks = [0, 4, 8].map((o) => view.getUint32(at + o, true));
  }
  const palette: number[][] = [];
  if (bpp <= 8) {
    const entry = headerSize === 12 ? 3 : 4;
    const count = colours || 1 << bpp;
    const start = 14 + headerSize;
    for (let i = 0; i < count; i++) {
      const o = start + i * entry;
      palette.push([bytes[o + 2], bytes[o + 1], bytes[o]]);
    }
  }
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) {
    throw new Error(
      `truncated BMP: ${bytes.length} bytes, expected ${dataOffset + stride * height}`,
    );
  }
  const out = new Uint8Array(width * height * 3);
  const channel = masks.map((mask) => {
    const shift = mask === 0 ? 0 : 31 - Math.clz32(mask & -mask);
    const max = mask >>> shift;
    return { mask, shift, max };
  });
  for (let y = 0; y < height; y++) {
    const row = dataOffset + stride * (topDown ? y : height - 1 - y);
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (bpp <= 8) {
        const bit = x * bpp;
        const index = (bytes[row + (bit >> 3)] >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1);
        const c = palette[index] ?? [0, 0, 0];
        out[o] = c[0];
        out[o + 1] = c[1];
        out[o + 2] = c[2];
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = bytes[p + 2];
        out[o + 1] = bytes[p + 1];
        out[o + 2] = bytes[p];
      } else if (bpp === 16 || bpp === 32) {
        const v = bpp === 16
          ? view.getUint16(row + x * 2, true)
          : view.getUint32(row + x * 4, true);
        for (let c = 0; c < 3; c++) {
          const { mask, shift, max } = channel[c];
          out[o + c] = max === 0 ? 0 : Math.round((((v & mask) >>> shift) * 255) / max);
        }
      } else {
        throw new Error(`BMP of ${bpp} bits per pixel is not supported`);
      }
    }
  }
  return { width, height, data: out };
}

/**
 * STL10 stores each image channel-major (3 planes) and column-major inside a plane: byte
 * `c * S * S + x * S + y` holds channel `c` of the pixel in row `y`, column `x` (torchvision
 * reads it with `reshape(-1, 3, 96, 96)` then `transpose(0, 1, 3, 2)`). These helpers convert
 * between that layout and HWC row-major bytes (`(y * S + x) * 3 + c`).
 * @module
 */
import { argumentMessage, checkInteger } from "@simclr/internal/checks";

/** Side length in pixels of an STL10 image. */
export const STL10_IMAGE_SIZE = 96;

/** Bytes per STL10 image: 3 * 96 * 96 = 27,648. */
export const STL10_IMAGE_BYTES: number = 3 * STL10_IMAGE_SIZE * STL10_IMAGE_SIZE;

function checkArgs(
  fn: string,
  src: Uint8Array,
  count: number,
  size: number,
  dst: Uint8Array | undefined,
): number {
  checkInteger(fn, "size", size, { min: 1 });
  checkInteger(fn, "count", count, { min: 0 });
  const bytes = 3 * size * size;
  for (const [name, array] of [["src", src], ["dst", dst]] as const) {
    if (array !== undefined && array.length < count * bytes) {
      throw new RangeError(
        argumentMessage(
          fn,
          `${name} has ${array.length} bytes`,
          `at least ${count * bytes} (count ${count} of ${size}x${size}x3 images)`,
        ),
      );
    }
  }
  return bytes;
}

/**
 * Converts `count` images from the STL10 file layout (channel-major, column-major planes) to
 * HWC row-major bytes.
 *
 * @param src Bytes in STL10 layout, at least `count * 3 * size * size` long.
 * @param count Number of images to convert.
 * @param size Image side in pixels (96 for STL10).
 * @param dst Optional output (at least as long as the converted bytes); allocated if omitted.
 * @returns `dst` holding HWC row-major bytes, `count * size * size * 3` used.
 *
 * @example Convert one 2x2 image
 * ```ts
 * import { stl10ToHWC } from "@simclr/datasets";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * // planes R, G, B; inside each plane: column 0 (rows 0, 1), then column 1 (rows 0, 1)
 * const file = Uint8Array.from([1, 2, 3, 4, 10, 20, 30, 40, 5, 6, 7, 8]);
 * const hwc = stl10ToHWC(file, 1, 2);
 * // pixel (row 0, col 1) is R=3 G=30 B=7
 * deepStrictEqual(Array.from(hwc.subarray(3, 6)), [3, 30, 7]);
 * ```
 */
export function stl10ToHWC(
  src: Uint8Array,
  count: number,
  size: number = STL10_IMAGE_SIZE,
  dst?: Uint8Array,
): Uint8Array {
  const bytes = checkArgs("stl10ToHWC()", src, count, size, dst);
  const out = dst ?? new Uint8Array(count * bytes);
  const plane = size * size;
  for (let n = 0; n < count; n++) {
    const base = n * bytes;
    let o = base;
    for (let y = 0; y < size; y++) {
      // write the row sequentially; read R, G, B from the three planes, one column apart
      let i = base + y;
      for (let x = 0; x < size; x++) {
        out[o] = src[i];
        out[o + 1] = src[i + plane];
        out[o + 2] = src[i + 2 * plane];
        o += 3;
        i += size;
      }
    }
  }
  return out;
}

/**
 * Converts `count` HWC row-major images to the STL10 file layout (the inverse of
 * {@linkcode stl10ToHWC}).
 *
 * @param src HWC row-major bytes, at least `count * size * size * 3` long.
 * @param count Number of images to convert.
 * @param size Image side in pixels (96 for STL10).
 * @param dst Optional output; allocated if omitted.
 * @returns `dst` holding bytes in STL10 layout.
 *
 * @example Round trip
 * ```ts
 * import { hwcToSTL10, stl10ToHWC } from "@simclr/datasets";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const hwc = Uint8Array.from({ length: 2 * 4 * 4 * 3 }, (_, i) => i);
 * deepStrictEqual(stl10ToHWC(hwcToSTL10(hwc, 2, 4), 2, 4), hwc);
 * ```
 */
export function hwcToSTL10(
  src: Uint8Array,
  count: number,
  size: number = STL10_IMAGE_SIZE,
  dst?: Uint8Array,
): Uint8Array {
  const bytes = checkArgs("hwcToSTL10()", src, count, size, dst);
  const out = dst ?? new Uint8Array(count * bytes);
  const rowStride = size * 3;
  for (let n = 0; n < count; n++) {
    const base = n * bytes;
    let o = base;
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < size; x++) {
        let i = base + x * 3 + c;
        for (let y = 0; y < size; y++) {
          out[o++] = src[i];
          i += rowStride;
        }
      }
    }
  }
  return out;
}

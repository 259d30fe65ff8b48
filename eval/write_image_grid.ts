// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { encode } from "fast-png";
import { argumentMessage, checkInteger, checkNumber, show } from "@simclr/internal/checks";
import { writeFileAtomic } from "@simclr/internal/write-atomic";

/** Options of {@linkcode writeImageGrid}. */
export interface ImageGridOptions {
  /** Tiles per row. Default 6. */
  columns?: number;
  /** Pixels between tiles and around the grid. Default 2. */
  padding?: number;
  /** Grey level of the padding, in [0, 1]. Default 0.9. */
  background?: number;
  /**
   * Scale the tiles' values from their minimum and maximum over the whole grid to [0, 1]
   * (torchvision's `make_grid(normalize=True)`), for normalised views. Default false: values
   * are taken to be in [0, 1] (and clipped).
   */
  normalize?: boolean;
  /**
   * A frame drawn over the edge of each tile, by tile: an RGB colour (0-255 per channel), or
   * `null` for none (e.g. the correct neighbours of the probe's neighbour grid). Default: none.
   */
  marks?: readonly (readonly [number, number, number] | null)[];
  /** Width of the frames in pixels (at most half the tile's side). Default 3 (less on small tiles). */
  markWidth?: number;
}

/**
 * Writes images as one PNG grid, row by row, like torchvision's `make_grid`: the augmentation
 * grid of pretraining, the nearest-neighbour pictures of the probe. Tiles can be marked with a
 * coloured frame.
 *
 * @param path The PNG file (written to a temporary name, then renamed).
 * @param tiles `[T, H, W, 3]` images (the tensor stays the caller's).
 * @param options Columns, padding, background, value scaling and frames.
 * @returns The picture's size in pixels.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { writeImageGrid } from "@simclr/eval";
 * import { decode } from "fast-png";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * const tiles = tf.ones([3, 4, 4, 3]) as tf.Tensor4D; // three white 4x4 tiles
 * const size = await writeImageGrid(path, tiles, { columns: 2, padding: 1 });
 * assert.deepEqual(size, { width: 2 * 5 + 1, height: 2 * 5 + 1 });
 * const png = decode(await Deno.readFile(path));
 * assert.equal(png.data[(1 * size.width + 1) * 3], 255); // inside the first tile
 * assert.equal(png.data[0], Math.round(0.9 * 255)); // padding
 * // A red frame, 1 pixel wide, around the second tile.
 * await writeImageGrid(path, tiles, { columns: 2, padding: 1, marks: [null, [255, 0, 0]], markWidth: 1 });
 * const marked = decode(await Deno.readFile(path));
 * assert.deepEqual([...marked.data.subarray((1 * 11 + 6) * 3, (1 * 11 + 6) * 3 + 3)], [255, 0, 0]);
 * assert.deepEqual([...marked.data.subarray((2 * 11 + 7) * 3, (2 * 11 + 7) * 3 + 3)], [255, 255, 255]);
 * tiles.dispose();
 * await Deno.remove(path);
 * ```
 */
export async function writeImageGrid(
  path: string,
  tiles: tf.Tensor4D,
  options: ImageGridOptions = {},
): Promise<{ width: number; height: number }> {
  const fn = "writeImageGrid()";
  const { columns = 6, padding = 2, background = 0.9, normalize = false } = options;
  const marks = options.marks ?? [];
  checkInteger(fn, "options.columns", columns, { min: 1 });
  checkInteger(fn, "options.padding", padding, { min: 0 });
  checkNumber(fn, "options.background", background, { min: 0, max: 1 });
  if (!(tiles instanceof tf.Tensor) || tiles.rank !== 4 || tiles.shape[3] !== 3) {
    throw new RangeError(
      argumentMessage(fn, `tiles has shape ${show(tiles?.shape)}`, "[T, H, W, 3]"),
    );
  }
  const [count, h, w] = tiles.shape;
  const widest = Math.max(1, Math.floor(Math.min(h, w) / 2));
  const markWidth = options.markWidth ?? Math.min(3, widest);
  checkInteger(fn, "options.markWidth", markWidth, {
    min: 1,
    max: widest,
  });
  if (marks.length > count) {
    throw new RangeError(
      argumentMessage(
        fn,
        `options.marks has ${marks.length} entries`,
        `at most one per tile (${count})`,
      ),
    );
  }
  for (const [i, mark] of marks.entries()) {
    if (
      mark !== null &&
      (mark.length !== 3 || mark.some((c) => !Number.isInteger(c) || c < 0 || c > 255))
    ) {
      throw new RangeError(
        argumentMessage(fn, `options.marks[${i}] is ${show(mark)}`, "null or [r, g, b] in 0..255"),
      );
    }
  }
  const scaled = tf.tidy(() => {
    if (!normalize) return tf.clipByValue(tiles, 0, 1);
    const low = tf.min(tiles), high = tf.max(tiles);
    return tf.div(tf.sub(tiles, low), tf.maximum(tf.sub(high, low), 1e-5));
  });
  const bytes = tf.tidy(() => tf.cast(tf.round(tf.mul(scaled, 255)), "int32"));
  const values = await bytes.data(); // async: webgpu has no dataSync
  tf.dispose([scaled, bytes]);
  const rows = Math.ceil(count / columns);
  const width = Math.min(count, columns) * (w + padding) + padding;
  const height = rows * (h + padding) + padding;
  const data = new Uint8Array(width * height * 3).fill(Math.round(background * 255));
  for (let t = 0; t < count; t++) {
    const x0 = padding + (t % columns) * (w + padding);
    const y0 = padding + Math.floor(t / columns) * (h + padding);
    for (let y = 0; y < h; y++) {
      const row = values.subarray(((t * h) + y) * w * 3, ((t * h) + y + 1) * w * 3);
      data.set(row, ((y0 + y) * width + x0) * 3);
    }
    const mark = marks[t];
    if (mark) drawFrame(data, width, x0, y0, w, h, markWidth, mark);
  }
  await writeFileAtomic(path, encode({ width, height, data, channels: 3, depth: 8 }));
  return { width, height };
}

/** Paints a frame `thickness` pixels wide over the edge of the `w` x `h` box at (x0, y0). */
function drawFrame(
  data: Uint8Array,
  width: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  thickness: number,
  colour: readonly [number, number, number],
): void {
  const line = new Uint8Array(w * 3);
  for (let x = 0; x < w; x++) line.set(colour, x * 3);
  const side = line.subarray(0, thickness * 3);
  for (let y = 0; y < h; y++) {
    const at = ((y0 + y) * width + x0) * 3;
    if (y < thickness || y >= h - thickness) {
      data.set(line, at);
    } else {
      data.set(side, at);
      data.set(side, at + (w - thickness) * 3);
    }
  }
}

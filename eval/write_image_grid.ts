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
}

/**
 * Writes images as one PNG grid, row by row, like torchvision's `make_grid`: the augmentation
 * grid of pretraining, the nearest-neighbour pictures of the probe.
 *
 * @param path The PNG file (written to a temporary name, then renamed).
 * @param tiles `[T, H, W, 3]` images (the tensor stays the caller's).
 * @param options Columns, padding, background and value scaling.
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
  checkInteger(fn, "options.columns", columns, { min: 1 });
  checkInteger(fn, "options.padding", padding, { min: 0 });
  checkNumber(fn, "options.background", background, { min: 0, max: 1 });
  if (!(tiles instanceof tf.Tensor) || tiles.rank !== 4 || tiles.shape[3] !== 3) {
    throw new RangeError(
      argumentMessage(fn, `tiles has shape ${show(tiles?.shape)}`, "[T, H, W, 3]"),
    );
  }
  const [count, h, w] = tiles.shape;
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
  }
  await writeFileAtomic(path, encode({ width, height, data, channels: 3, depth: 8 }));
  return { width, height };
}

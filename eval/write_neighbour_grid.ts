// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import type { ExtractedFeatures, LabelledImageSource } from "./extract_features.ts";
import { nearestNeighbours } from "./nearest_neighbours.ts";
import { writeImageGrid } from "./write_image_grid.ts";

/** A split's features and its images: row `r` of the features is image `indices[r]`. */
export interface FeaturedSplit extends ExtractedFeatures {
  /** The images the features were extracted from. */
  images: LabelledImageSource;
}

/** Options of {@linkcode writeNeighbourGrid}. */
export interface NeighbourGridOptions {
  /** Query images, one per row (of different classes while there are classes left). Default 8. */
  rows?: number;
  /** Nearest bank images after each query. Default 8. */
  k?: number;
  /** Seed of the choice of queries. Default 42. */
  seed?: number;
  /** Side of the stored images. Default `queries.images.imageSize`, else 96. */
  sourceSize?: number;
  /** Side of the tiles (images are resized, bilinear). Default: the source's, at most 64. */
  tileSize?: number;
}

/** One row of the grid: a query and its neighbours, as indices into their splits. */
export interface NeighbourRow {
  /** The query's index in its split. */
  query: number;
  /** The query's class. */
  label: number;
  /** The neighbours' indices in the bank's split, nearest first. */
  neighbours: number[];
  /** The neighbours' classes. */
  labels: number[];
}

/** What {@linkcode writeNeighbourGrid} drew. */
export interface NeighbourGrid {
  /** The picture's width in pixels. */
  width: number;
  /** The picture's height in pixels. */
  height: number;
  /** The rows, top to bottom. */
  rows: NeighbourRow[];
}

/** Frame colours (Okabe-Ito, told apart with any colour vision): query, correct, wrong. */
export const NEIGHBOUR_MARKS = {
  query: [0, 0, 0],
  correct: [0, 158, 115],
  wrong: [213, 94, 0],
} as const;

/**
 * Writes the nearest-neighbour picture of an encoder (a PNG, with {@linkcode writeImageGrid}):
 * a few query images (by default 8, one per class while classes last, chosen with the seed),
 * each followed on its row by the `k` bank images nearest to it by cosine similarity of the
 * features ({@linkcode nearestNeighbours}), in tiles of at most 64 px. The query has a black frame; a neighbour of the
 * query's class a bluish-green frame, one of another class a vermillion frame. A trained
 * encoder's rows are mostly green; a random encoder's neighbours share colours and layouts
 * rather than classes.
 *
 * @param path The PNG file (written to a temporary name, then renamed).
 * @param bank The images searched (e.g. the labelled training split) and their features.
 * @param queries The images looked up (e.g. the test split) and their features.
 * @param options Rows, neighbours, seed and image size.
 * @returns The picture's size and what each row shows.
 *
 * @example Two classes of flat colours
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { extractFeatures, writeNeighbourGrid } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const split = (labels: number[]) => ({
 *   length: labels.length,
 *   imageSize: 4,
 *   classNames: ["red", "blue"],
 *   labels: () => Int32Array.from(labels),
 *   read: (indices: ArrayLike<number>) =>
 *     Promise.resolve({
 *       pixels: Uint8Array.from(Array.from(indices).flatMap((i) => Array(16).fill(labels[i] ? [0, 0, 255] : [255, 0, 0]).flat())),
 *       labels: Int32Array.from(indices, (i) => labels[i]),
 *     }),
 * });
 * const encoder = { apply: (x: tf.Tensor4D) => tf.mean(x, [1, 2]) as tf.Tensor2D };
 * const featured = async (images: ReturnType<typeof split>) => ({
 *   ...await extractFeatures(encoder, images, { progress: false }),
 *   images,
 * });
 * const bank = await featured(split([0, 1, 0, 1, 1]));
 * const queries = await featured(split([1, 0]));
 * const path = await Deno.makeTempFile({ suffix: ".png" });
 * const grid = await writeNeighbourGrid(path, bank, queries, { k: 2 });
 * assert.equal(grid.rows.length, 2);
 * assert.deepEqual(grid.rows.map((r) => r.labels), [[0, 0], [1, 1]]);
 * assert.deepEqual(grid, { ...grid, width: 3 * (4 + 2) + 2, height: 2 * (4 + 2) + 2 });
 * tf.dispose([bank.features, queries.features]);
 * await Deno.remove(path);
 * ```
 */
export async function writeNeighbourGrid(
  path: string,
  bank: FeaturedSplit,
  queries: FeaturedSplit,
  options: NeighbourGridOptions = {},
): Promise<NeighbourGrid> {
  const fn = "writeNeighbourGrid()";
  const { rows: wanted = 8, k = 8, seed = DEFAULT_SEED } = options;
  checkInteger(fn, "options.rows", wanted, { min: 1 });
  checkInteger(fn, "options.k", k, { min: 1 });
  const sourceSize = options.sourceSize ?? queries.images.imageSize ?? 96;
  checkInteger(fn, "options.sourceSize", sourceSize, { min: 1 });
  const tileSize = options.tileSize ?? Math.min(sourceSize, 64);
  checkInteger(fn, "options.tileSize", tileSize, { min: 1 });
  const m = queries.labels.length;
  if (m === 0 || queries.indices.length !== m || bank.indices.length !== bank.labels.length) {
    throw new RangeError(
      argumentMessage(
        fn,
        `queries has ${m} labels and ${queries.indices.length} indices`,
        "one label and index per row, at least one row",
      ),
    );
  }
  // Queries in a seeded order, classes not yet shown first; rows sorted by class.
  const order = createRng(seed).permutation(m);
  const seen = new Set<number>();
  const first = order.filter((r) => !seen.has(queries.labels[r]) && seen.add(queries.labels[r]));
  const rest = order.filter((r) => !first.includes(r));
  const picked = [...first, ...rest].slice(0, wanted)
    .sort((a, b) => queries.labels[a] - queries.labels[b] || a - b);

  const chosen = tf.gather(queries.features, picked); // [rows, d]
  let found;
  try {
    found = await nearestNeighbours(bank.features, chosen, { k });
  } finally {
    chosen.dispose();
  }
  const rows: NeighbourRow[] = picked.map((r, i) => {
    const near = [...found.indices.subarray(i * found.k, (i + 1) * found.k)];
    return {
      query: queries.indices[r],
      label: queries.labels[r],
      neighbours: near.map((b) => bank.indices[b]),
      labels: near.map((b) => bank.labels[b]),
    };
  });

  const queryPixels = (await queries.images.read(rows.map((r) => r.query))).pixels;
  const bankPixels = (await bank.images.read(rows.flatMap((r) => r.neighbours))).pixels;
  const tileBytes = sourceSize * sourceSize * 3;
  const columns = found.k + 1;
  const pixels = new Uint8Array(rows.length * columns * tileBytes);
  const marks: (readonly [number, number, number] | null)[] = [];
  rows.forEach((row, i) => {
    pixels.set(queryPixels.subarray(i * tileBytes, (i + 1) * tileBytes), i * columns * tileBytes);
    marks.push(NEIGHBOUR_MARKS.query);
    row.labels.forEach((label, j) => {
      const from = (i * found.k + j) * tileBytes;
      pixels.set(bankPixels.subarray(from, from + tileBytes), (i * columns + j + 1) * tileBytes);
      marks.push(label === row.label ? NEIGHBOUR_MARKS.correct : NEIGHBOUR_MARKS.wrong);
    });
  });
  const tiles = tf.tidy(() => {
    const images = tf.tensor4d(pixels, [rows.length * columns, sourceSize, sourceSize, 3], "int32");
    const scaled: tf.Tensor4D = tf.div(tf.cast(images, "float32"), 255);
    return tileSize === sourceSize
      ? scaled
      : tf.image.resizeBilinear(scaled, [tileSize, tileSize], false, true);
  });
  try {
    const markWidth = Math.max(1, Math.min(3, Math.floor(tileSize / 20))); // 3 px at 64 px
    const size = await writeImageGrid(path, tiles, { columns, padding: 2, marks, markWidth });
    return { ...size, rows };
  } finally {
    tiles.dispose();
  }
}

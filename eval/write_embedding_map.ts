// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { checkInteger } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { embeddingMapSpec } from "./embedding_map_spec.ts";
import type { LabelledFeatures } from "./extract_features.ts";
import { writeChart } from "./render_chart.ts";
import { umap2d, type Umap2dOptions } from "./umap_2d.ts";

/** Options of {@linkcode writeEmbeddingMap}. */
export interface EmbeddingMapFileOptions extends Umap2dOptions {
  /** Draw at most this many points (a seeded sample): UMAP's time and the SVG grow with them. Default 2000. */
  maxPoints?: number;
  /** Chart title. Default `"UMAP of the test split's features"`. */
  title?: string;
}

/** What {@linkcode writeEmbeddingMap} drew. */
export interface EmbeddingMap {
  /** The SVG document (as written to `<basePath>.svg`). */
  svg: string;
  /** The feature rows drawn, ascending. */
  rows: number[];
  /** Their `[x, y]` in the map. */
  points: [number, number][];
}

/**
 * Writes the embedding map of a labelled split: its features projected to 2-D by
 * {@linkcode umap2d} (seeded) and drawn by {@linkcode embeddingMapSpec}, one point per image
 * coloured by class with a legend of class names, as `<basePath>.svg` and `<basePath>.png`.
 * Classes that the encoder separates form islands; a random encoder's map mixes them.
 *
 * @param basePath Path without extension, e.g. `runs/probe/embedding`.
 * @param split Features `[n, d]` (`n >= 3`) and the class of each row.
 * @param classNames The name of each class, for the legend.
 * @param options Number of points, seed, title and UMAP's settings.
 * @returns The SVG, and which rows were drawn where.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { writeEmbeddingMap } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const features = tf.tensor2d(Array.from({ length: 12 }, (_, i) => [i % 2, 1 - (i % 2), 0.01 * i]));
 * const labels = Int32Array.from({ length: 12 }, (_, i) => i % 2);
 * const dir = await Deno.makeTempDir();
 * const map = await writeEmbeddingMap(`${dir}/embedding`, { features, labels }, ["cat", "dog"]);
 * assert.equal(map.points.length, 12);
 * assert.match(await Deno.readTextFile(`${dir}/embedding.svg`), /dog/);
 * assert.ok((await Deno.stat(`${dir}/embedding.png`)).size > 0);
 * features.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeEmbeddingMap(
  basePath: string,
  split: LabelledFeatures,
  classNames: readonly string[],
  options: EmbeddingMapFileOptions = {},
): Promise<EmbeddingMap> {
  const { maxPoints = 2000, seed = DEFAULT_SEED, title, ...umapOptions } = options;
  checkInteger("writeEmbeddingMap()", "options.maxPoints", maxPoints, { min: 3 });
  const n = split.features.shape[0];
  const rows = n <= maxPoints
    ? Array.from({ length: n }, (_, i) => i)
    : createRng(seed, 1).permutation(n).slice(0, maxPoints).sort((a, b) => a - b);
  const drawn = rows.length === n ? split.features : tf.gather(split.features, rows);
  let points: [number, number][];
  try {
    points = await umap2d(drawn, { ...umapOptions, seed });
  } finally {
    if (drawn !== split.features) drawn.dispose();
  }
  const labels = rows.map((r) => split.labels[r]);
  const svg = await writeChart(basePath, embeddingMapSpec(points, labels, classNames, { title }));
  return { svg, rows, points };
}

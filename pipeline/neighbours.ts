// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import { type DataSetSplit, openDataSet, readImage } from "@simclr/datasets";
import { encodeImages, type FeatureEncoder } from "@simclr/eval/encode-images";
import { nearestNeighbours } from "@simclr/eval/nearest-neighbours";
import { similarPairs } from "@simclr/eval/similar-pairs";
import { writeImageGrid } from "@simclr/eval/write-image-grid";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { loadEncoder, loadSafetensors } from "@simclr/models";
import { csvLine, parseCsv } from "./_csv.ts";
import type { CommandSpec } from "./flag.ts";
import { BACKEND_FLAG } from "./run_settings.ts";
import { UsageError } from "./usage_error.ts";

/** `deno task neighbours`: its description and flags, each a field of {@linkcode NeighboursConfig}. */
export const NEIGHBOURS_COMMAND: CommandSpec = {
  name: "neighbours",
  description:
    "Nearest images to a query by cosine similarity of their embeddings, and near-duplicates.",
  flags: [
    { name: "embeddings", type: "string", help: "The --out folder of deno task embed" },
    { name: "query", type: "string", help: "An image file, or a row (index) of index.csv" },
    { name: "k", type: "integer", min: 1, default: 8, help: "Neighbours shown" },
    {
      name: "duplicates",
      type: "number",
      min: -1,
      help: "List the pairs of images with cosine similarity at least this (e.g. 0.95)",
    },
    {
      name: "out",
      type: "string",
      help: "Where neighbours.png and duplicates.csv go (default: --embeddings)",
    },
    BACKEND_FLAG,
  ],
};

/** Settings of {@linkcode neighbours}; the fields mirror `deno task neighbours`'s flags. */
export interface NeighboursConfig {
  /** The folder `embed` wrote (`embeddings.safetensors`, `index.csv`). */
  embeddings: string;
  /**
   * An image file (embedded with the same checkpoint) or the row of an embedded image (its
   * `index`; the image itself is then left out of its neighbours).
   */
  query?: string;
  /** Neighbours shown. Default 8. */
  k?: number;
  /** List the pairs of images whose cosine similarity is at least this. */
  duplicates?: number;
  /** Where `neighbours.png` and `duplicates.csv` go. Default: the embeddings folder. */
  out?: string;
  /** The tfjs backend. Default `auto`. */
  backend?: BackendRequest;
}

/** One image found, with its similarity to the query. */
export interface NeighbourMatch {
  /** Its row in `index.csv`. */
  index: number;
  /** Its path, relative to the data folder. */
  path: string;
  /** Its class name, or `""` when unlabeled. */
  label: string;
  /** Cosine similarity to the query. */
  similarity: number;
}

/** Two images whose embeddings are at least `duplicates` alike. */
export interface DuplicatePair {
  /** The first image's row in `index.csv` (`a < b`). */
  a: number;
  /** The second image's row. */
  b: number;
  /** The first image's path. */
  pathA: string;
  /** The second image's path. */
  pathB: string;
  /** Cosine similarity. */
  similarity: number;
}

/** What {@linkcode neighbours} found. */
export interface NeighboursResult {
  /** The query's nearest images, nearest first (empty without a query). */
  neighbours: NeighbourMatch[];
  /** The query and its neighbours drawn as one row, or `null` without a query. */
  grid: string | null;
  /** Pairs at or above the threshold, most alike first, or `null` when not asked. */
  duplicates: DuplicatePair[] | null;
  /** The tables printed. */
  text: string;
}

/** Duplicate pairs printed, most alike first (duplicates.csv holds them all). */
const DUPLICATES_PRINTED = 50;

/** A plain text table, columns padded. */
function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => r[c].length)));
  return cells.map((r) => r.map((v, c) => v.padEnd(widths[c])).join("  ").trimEnd()).join("\n");
}

/**
 * Search over the embeddings that `embed` wrote: the `k` images nearest a query by cosine
 * similarity, printed as a table and drawn as one row of a grid (`neighbours.png`: the query
 * framed, then its neighbours, nearest first); with `duplicates`, every pair of images at least
 * that similar (all pairs, exactly: {@linkcode similarPairs}), printed and written to
 * `duplicates.csv`. A query image is embedded with the checkpoint recorded in the
 * embeddings' metadata, read and resized as `embed` read the data.
 *
 * @param config The embeddings folder, the query, `k`, the duplicate threshold.
 * @returns The neighbours, the grid's path, the pairs and the text printed.
 *
 * @example Near-duplicates among three embeddings (as `embed` writes them)
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { saveSafetensors } from "@simclr/models";
 * import { neighbours } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const embeddings = tf.tensor2d([[1, 0], [0, 1], [2, 0.01]]);
 * await saveSafetensors(`${dir}/embeddings.safetensors`, new Map([["embeddings", embeddings]]));
 * await Deno.writeTextFile(`${dir}/index.csv`, "index,path,label\n0,a.jpg,\n1,b.jpg,\n2,c.jpg,\n");
 * const { duplicates } = await neighbours({ embeddings: dir, duplicates: 0.99, backend: "cpu" });
 * assert.deepEqual(duplicates!.map((p) => [p.pathA, p.pathB]), [["a.jpg", "c.jpg"]]);
 * embeddings.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function neighbours(config: NeighboursConfig): Promise<NeighboursResult> {
  const k = config.k ?? 8;
  if (!Number.isInteger(k) || k < 1) throw new UsageError(`--k is ${k}: expected an integer >= 1`);
  if (config.query === undefined && config.duplicates === undefined) {
    throw new UsageError("expected --query IMAGE|INDEX or --duplicates T (or both)");
  }
  const t = config.duplicates;
  if (t !== undefined && !(t >= -1 && t <= 1)) {
    throw new UsageError(`--duplicates is ${t}: expected a cosine similarity in -1..1`);
  }
  const file = `${config.embeddings}/embeddings.safetensors`;
  if ((await nullIfMissing(Deno.stat(file))) === null) {
    throw new Deno.errors.NotFound(
      `missing file ${file}: expected the --out folder of deno task embed`,
    );
  }
  await selectBackend(config.backend ?? "auto");
  const { tensors, metadata } = await loadSafetensors(file);
  const bank = tensors.get("embeddings") as tf.Tensor2D;
  const rows = parseCsv(await Deno.readTextFile(`${config.embeddings}/index.csv`)).slice(1);
  const classNames: string[] = JSON.parse(metadata.classNames ?? "[]");
  const paths = rows.map((r) => r[1]);
  const labelOf = (i: number) =>
    rows[i][2] === "" ? "" : classNames[Number(rows[i][2])] ?? rows[i][2];
  const out = config.out ?? config.embeddings;
  await Deno.mkdir(out, { recursive: true });
  const texts: string[] = [];
  const result: NeighboursResult = { neighbours: [], grid: null, duplicates: null, text: "" };
  try {
    if (bank.shape[0] !== rows.length) {
      throw new UsageError(
        `${config.embeddings}: embeddings.safetensors holds ${bank.shape[0]} rows but index.csv ` +
          `${rows.length}: expected the files of one deno task embed run`,
      );
    }
    if (config.query !== undefined) {
      const { query, queryPixels, self } = await embedQuery(
        config.query,
        bank,
        metadata,
        rows.length,
      );
      try {
        const found = await nearestNeighbours(bank, query, {
          k: Math.min(k + (self === null ? 0 : 1), rows.length),
        });
        for (let j = 0; j < found.k; j++) {
          const index = found.indices[j];
          if (index === self) continue;
          if (result.neighbours.length === k) break;
          result.neighbours.push({
            index,
            path: paths[index],
            label: labelOf(index),
            similarity: found.similarities[j],
          });
        }
      } finally {
        query.dispose();
      }
      texts.push(
        `nearest to ${self === null ? config.query : `${self} (${paths[self]})`}:\n` +
          table(
            ["rank", "index", "similarity", "label", "path"],
            result.neighbours.map((
              m,
              r,
            ) => [r + 1, m.index, m.similarity.toFixed(4), m.label, m.path]),
          ),
      );
      result.grid = `${out}/neighbours.png`;
      await drawRow(
        result.grid,
        metadata,
        queryPixels ?? self!,
        result.neighbours.map((m) => m.index),
        paths,
      );
    }
    if (t !== undefined) {
      const pairs = await similarPairs(bank, t);
      result.duplicates = Array.from(pairs.a, (a, p) => {
        const b = pairs.b[p];
        return { a, b, pathA: paths[a], pathB: paths[b], similarity: pairs.similarities[p] };
      });
      const lines = result.duplicates.map((p) =>
        csvLine([p.a, p.b, p.similarity.toFixed(6), p.pathA, p.pathB])
      );
      await writeFileAtomic(
        `${out}/duplicates.csv`,
        ["a,b,similarity,path_a,path_b", ...lines].join("\n") + "\n",
      );
      const shown = result.duplicates.slice(0, DUPLICATES_PRINTED);
      const more = result.duplicates.length - shown.length;
      texts.push(
        `${result.duplicates.length} pairs with cosine similarity >= ${t} ` +
          `(${out}/duplicates.csv):\n` +
          table(
            ["a", "b", "similarity", "path a", "path b"],
            shown.map((p) => [p.a, p.b, p.similarity.toFixed(4), p.pathA, p.pathB]),
          ) + (more > 0 ? `\n... ${more} more in duplicates.csv` : ""),
      );
    }
  } finally {
    tf.dispose([...tensors.values()]);
  }
  result.text = texts.join("\n\n");
  console.log(result.text);
  return result;
}

/** The query's embedding `[1, D]`, its pixels for the grid, and its row when it is one. */
async function embedQuery(
  query: string,
  bank: tf.Tensor2D,
  metadata: Record<string, string>,
  count: number,
): Promise<{ query: tf.Tensor2D; queryPixels: Uint8Array | null; self: number | null }> {
  const sourceSize = Number(metadata.sourceSize ?? 96);
  const isFile = (await nullIfMissing(Deno.stat(query)))?.isFile ?? false;
  if (!isFile) {
    if (!/^\d+$/.test(query)) {
      throw new UsageError(`--query ${query}: expected an image file or a row of index.csv`);
    }
    const self = Number(query);
    if (self >= count) {
      throw new UsageError(`--query is ${self}: expected a row of index.csv (0..${count - 1})`);
    }
    return { query: tf.slice(bank, [self, 0], [1, -1]), queryPixels: null, self };
  }
  if (metadata.weights === undefined) {
    throw new UsageError("--query IMAGE: the embeddings do not record their checkpoint");
  }
  const config = JSON.parse(metadata.config ?? "{}");
  const projections = metadata.embedding === "z";
  const { encoder, head } = await loadEncoder(
    metadata.weights,
    config.imageSize !== undefined ? { imageSize: config.imageSize } : {},
    { head: projections },
  );
  try {
    const pixels = await readImage(query, { size: sourceSize });
    const network: FeatureEncoder = projections
      ? { apply: (x, o) => tf.tidy(() => head!.apply(encoder.apply(x, o), o) as tf.Tensor2D) }
      : encoder;
    const source = {
      length: 1,
      imageSize: sourceSize,
      read: () => Promise.resolve({ pixels, labels: null }),
    };
    const { features, dim } = await encodeImages(network, source, {
      imageSize: config.imageSize ?? sourceSize,
      progress: false,
    });
    return { query: tf.tensor2d(features, [1, dim]), queryPixels: pixels, self: null };
  } finally {
    encoder.dispose();
    head?.dispose();
  }
}

/**
 * Draws the query (its pixels, or its row) framed, then its neighbours, as one row; the
 * embedded images' pixels are read back from the data folder (its cache).
 */
async function drawRow(
  path: string,
  metadata: Record<string, string>,
  query: Uint8Array | number,
  rows: number[],
  paths: readonly string[],
): Promise<void> {
  const size = Number(metadata.sourceSize ?? 96);
  const splits: [DataSetSplit, number][] = JSON.parse(metadata.splits ?? "[]");
  const data = await openDataSet(metadata.data, {
    sourceSize: size,
    ...(metadata.cacheDir !== undefined ? { cacheDir: metadata.cacheDir } : {}),
    skipBroken: true,
    progress: false,
  });
  /** Pixels of embedding row `row`: its split, and its index there. */
  const pixelsOf = async (row: number): Promise<Uint8Array> => {
    let start = 0;
    for (const [name, n] of splits) {
      if (row < start + n) {
        const split = await data.split(name);
        const own = (split as { paths?: readonly string[] } | null)?.paths;
        if (split === null || split.length !== n || (own && own[row - start] !== paths[row])) {
          throw new UsageError(
            `${metadata.data} changed since its embeddings were made (${name}: ${
              split?.length ?? 0
            } images, ${n} embedded): run deno task embed again`,
          );
        }
        return (await split.read([row - start])).pixels;
      }
      start += n;
    }
    throw new RangeError(`row ${row} is past the embedded splits`);
  };
  const bytes = size * size * 3;
  const tiles = new Uint8Array((rows.length + 1) * bytes);
  tiles.set(typeof query === "number" ? await pixelsOf(query) : query, 0);
  for (const [i, row] of rows.entries()) tiles.set(await pixelsOf(row), (i + 1) * bytes);
  const grid = tf.tidy(() =>
    tf.div(
      tf.tensor4d(Float32Array.from(tiles), [rows.length + 1, size, size, 3]),
      255,
    ) as tf.Tensor4D
  );
  try {
    await writeImageGrid(path, grid, {
      columns: rows.length + 1,
      marks: [[0, 114, 178]], // the query, framed blue (Okabe-Ito)
    });
  } finally {
    grid.dispose();
  }
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task neighbours`: search over `deno task embed`'s output: the images nearest a query
 * (an image file, or a row of `index.csv`) as a table and `neighbours.png`, and near-duplicate
 * pairs with `--duplicates T`.
 *
 * ```sh
 * deno task neighbours -- --embeddings runs/embed --query photos/cat/1.jpg --k 8
 * deno task neighbours -- --embeddings runs/embed --query 12 --duplicates 0.95
 * ```
 *
 * @module
 */
import type { BackendRequest } from "@simclr/backends";
import { neighbours, type NeighboursConfig } from "@simclr/pipeline";
import { type Flag, parseFlags, runMain, UsageError } from "./_cli.ts";

const FLAGS: readonly Flag[] = [
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
  {
    name: "backend",
    type: "string",
    choices: ["auto", "tensorflow", "webgpu", "wasm", "cpu"],
    default: "auto",
    help: "tfjs backend",
  },
];

/**
 * Reads the command line into a {@linkcode NeighboursConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings.
 */
export function neighboursConfig(args: string[]): NeighboursConfig {
  const flags = parseFlags(
    "neighbours",
    "Nearest images to a query by cosine similarity of their embeddings, and near-duplicates.",
    FLAGS,
    args,
  );
  if (flags.embeddings === undefined) throw new UsageError("--embeddings OUT is required");
  return {
    embeddings: flags.embeddings as string,
    ...(flags.query !== undefined ? { query: flags.query as string } : {}),
    k: flags.k as number,
    ...(flags.duplicates !== undefined ? { duplicates: flags.duplicates as number } : {}),
    ...(flags.out !== undefined ? { out: flags.out as string } : {}),
    backend: flags.backend as BackendRequest,
  };
}

if (import.meta.main) {
  await runMain(async () => void await neighbours(neighboursConfig(Deno.args)));
}

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
import { neighbours, NEIGHBOURS_COMMAND, type NeighboursConfig } from "@simclr/pipeline";
import { parseCommand, runMain, UsageError } from "./_cli.ts";

/**
 * Reads the command line into an {@linkcode NeighboursConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings.
 */
export function neighboursConfig(args: string[]): NeighboursConfig {
  const options = parseCommand(NEIGHBOURS_COMMAND, args);
  if (options.embeddings === undefined) throw new UsageError("--embeddings OUT is required");
  return options as unknown as NeighboursConfig;
}

if (import.meta.main) await runMain(async () => void await neighbours(neighboursConfig(Deno.args)));

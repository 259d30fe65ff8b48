// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task embed`: a vector per image of a data folder (an image folder or STL10), from any
 * checkpoint `loadEncoder` reads: `OUT/embeddings.safetensors` and `OUT/index.csv`.
 *
 * ```sh
 * deno task embed -- --weights runs/pretrain-demo/checkpoints/best.safetensors --data photos --out runs/embed
 * deno task embed -- --weights SimCLR.ckpt --data photos --out runs/embed --projections
 * ```
 *
 * @module
 */
import { embed, EMBED_COMMAND, type EmbedConfig } from "@simclr/pipeline";
import { parseCommand, runMain, UsageError } from "./_cli.ts";

/**
 * Reads the command line into an {@linkcode EmbedConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings.
 */
export function embedConfig(args: string[]): EmbedConfig {
  const options = parseCommand(EMBED_COMMAND, args);
  if (options.weights === undefined) throw new UsageError("--weights CKPT is required");
  if (options.data === undefined) throw new UsageError("--data DIR is required");
  return options as unknown as EmbedConfig;
}

if (import.meta.main) await runMain(async () => void await embed(embedConfig(Deno.args)));

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
import type { BackendRequest } from "@simclr/backends";
import { embed, type EmbedConfig } from "@simclr/pipeline";
import { type Flag, parseFlags, runMain, UsageError } from "./_cli.ts";

const FLAGS: readonly Flag[] = [
  { name: "weights", type: "string", help: "Checkpoint: ours (.safetensors) or a Lightning .ckpt" },
  { name: "data", type: "string", help: "An image folder or an stl10_binary folder" },
  { name: "out", type: "string", help: "Output folder", default: "runs/embed" },
  {
    name: "projections",
    type: "boolean",
    help: "The projection head's z instead of the features h",
  },
  {
    name: "image-size",
    type: "integer",
    min: 8,
    help: "Side of the network's input (default: the checkpoint's, else the data's)",
  },
  { name: "batch-size", type: "integer", min: 1, default: 64, help: "Images encoded at once" },
  {
    name: "source-size",
    type: "integer",
    min: 8,
    help: "Image folders: side of the stored images (default: the larger of 96 and --image-size)",
  },
  { name: "skip-broken", type: "boolean", help: "Skip images that fail to decode (broken.csv)" },
  {
    name: "cache",
    type: "string",
    default: ".cache/image-folders",
    help: "Image folders: the decoded-image cache",
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
 * Reads the command line into an {@linkcode EmbedConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings.
 */
export function embedConfig(args: string[]): EmbedConfig {
  const flags = parseFlags(
    "embed",
    "Embeddings of every image of a data folder, in file order, from a checkpoint's encoder.",
    FLAGS,
    args,
  );
  if (flags.weights === undefined) throw new UsageError("--weights CKPT is required");
  if (flags.data === undefined) throw new UsageError("--data DIR is required");
  return {
    weights: flags.weights as string,
    data: flags.data as string,
    out: flags.out as string,
    projections: flags.projections === true,
    ...(flags["image-size"] !== undefined ? { imageSize: flags["image-size"] as number } : {}),
    batchSize: flags["batch-size"] as number,
    ...(flags["source-size"] !== undefined ? { sourceSize: flags["source-size"] as number } : {}),
    skipBroken: flags["skip-broken"] === true,
    cacheDir: flags.cache as string,
    backend: flags.backend as BackendRequest,
  };
}

if (import.meta.main) await runMain(async () => void await embed(embedConfig(Deno.args)));

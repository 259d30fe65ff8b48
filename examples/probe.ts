// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task probe`: the tutorial's linear probe of a pretrained encoder, a thin shell over
 * `probe()` of @simclr/pipeline. Encodes the labelled train and test splits once (features
 * cached under `--cache`), trains a logistic regression on 10, 20, 50, 100, 200 and 500 images
 * per class, adds a k-nearest-neighbour accuracy, and writes `probe.json`, `probe.md` (beside
 * the tutorial's numbers), `probe.svg` and `probe.png` into `--out`, with two pictures of the
 * features: `embedding.svg` and `embedding.png` (a UMAP map of the test split, coloured by
 * class) and `neighbours.png` (test images and their nearest training images, the correct ones
 * marked).
 *
 * ```sh
 * deno task probe -- --weights runs/pretrain/checkpoints/best.safetensors
 * deno task probe -- --weights SimCLR.ckpt --data data/stl10_binary    # the tutorial's own
 * deno task probe -- --random-init --width 64 --sizes 10,50              # what pretraining buys
 * ```
 *
 * @module
 */
import { probe, PROBE_COMMAND, type ProbeConfig, resolveProbeConfig } from "@simclr/pipeline";
import { parseCommand, runMain } from "./_cli.ts";

/**
 * Reads the command line into a {@linkcode ProbeConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings, defaults filled in.
 */
export function probeConfig(args: string[]): ProbeConfig {
  return resolveProbeConfig(parseCommand(PROBE_COMMAND, args));
}

if (import.meta.main) await runMain(async () => void await probe(probeConfig(Deno.args)));

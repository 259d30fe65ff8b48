// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task augment-grid -- --out grid.png [--data DIR] [--seed N] [--count K]`: a PNG grid of
 * augmented image pairs, like the tutorial's "Augmented image examples of the STL10 dataset":
 * the first K images of a split, each followed by its two views from `simclrViews` (the
 * tutorial's `contrast_transforms`), six tiles per row, 2-pixel padding of grey 0.9, the
 * values min-max scaled as `make_grid(normalize=True)`. Without `--data` the demo data set is
 * generated (once) and used. A thin shell over `augmentGrid()` of @simclr/pipeline.
 *
 * @module
 */
import { AUGMENT_GRID_COMMAND, augmentGrid, type AugmentGridConfig } from "@simclr/pipeline";
import { parseCommand, runMain } from "./_cli.ts";

/**
 * Reads the command line into an {@linkcode AugmentGridConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings (absent flags: the function's defaults).
 */
export function augmentGridConfig(args: string[]): Partial<AugmentGridConfig> {
  return parseCommand(AUGMENT_GRID_COMMAND, args) as Partial<AugmentGridConfig>;
}

if (import.meta.main) {
  await runMain(async () => void await augmentGrid(augmentGridConfig(Deno.args)));
}

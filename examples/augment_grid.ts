// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task augment-grid -- --out grid.png [--data DIR] [--seed N] [--count K]`: a PNG grid of
 * augmented image pairs, like the tutorial's "Augmented image examples of the STL10 dataset":
 * the first K images of a split, each followed by its two views from `simclrViews` (the
 * tutorial's `contrast_transforms`), six tiles per row, 2-pixel padding of grey 0.9, the
 * values min-max scaled as `make_grid(normalize=True)`. Without `--data` the demo data set is
 * generated (once) and used.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { simclrViews } from "@simclr/augment";
import { selectBackend } from "@simclr/backends";
import { openSTL10 } from "@simclr/datasets";
import { writeImageGrid } from "@simclr/eval";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { type Flag, parseFlags, runMain, UsageError } from "./_cli.ts";
import { ensureDemoData } from "./_run.ts";

const FLAGS: readonly Flag[] = [
  { name: "out", type: "string", help: "PNG file to write", default: "augment_grid.png" },
  { name: "data", type: "string", help: "An stl10_binary folder (default: the demo data set)" },
  {
    name: "split",
    type: "string",
    help: "Split to read",
    default: "unlabeled",
    choices: ["train", "test", "unlabeled"],
  },
  { name: "seed", type: "integer", help: "Seed of the augmentations", default: DEFAULT_SEED },
  { name: "count", type: "integer", help: "Images (two views each)", default: 6, min: 1 },
  { name: "columns", type: "integer", help: "Tiles per row", default: 6, min: 1 },
];

/** What the grid shows (every flag of `deno task augment-grid`). */
export interface AugmentGridConfig {
  /** The PNG file to write. */
  out: string;
  /** An `stl10_binary` folder, or `null` for the demo data. */
  data: string | null;
  /** The split whose first images are shown. */
  split: "train" | "test" | "unlabeled";
  /** Seed of the augmentations. */
  seed: number;
  /** Images shown, two views each. */
  count: number;
  /** Tiles per row. */
  columns: number;
}

/**
 * Writes the grid of view pairs.
 *
 * @param config What to show and where.
 * @returns The PNG's path.
 */
export async function augmentGrid(config: AugmentGridConfig): Promise<string> {
  const { out, count, seed, columns, split } = config;
  const dir = config.data ?? await ensureDemoData();
  const dataset = await openSTL10(dir, split);
  if (dataset.length < count) {
    throw new UsageError(
      `--count is ${count}: expected at most the ${dataset.length} images of ${dir} (${split})`,
    );
  }
  const size = dataset.imageSize;
  const { pixels } = await dataset.read(Array.from({ length: count }, (_, i) => i));
  await selectBackend("cpu", { log: null }); // a few images: the CPU kernels are quick enough
  const pairs = tf.tidy(() => {
    const views = simclrViews({ pixels, height: size, width: size }, { seed, size }); // [2K, S, S, 3]
    // view-major [view0 of 0..K-1, view1 of 0..K-1] -> pairs [img0 v0, img0 v1, img1 v0, ...]
    const byImage = tf.transpose(tf.reshape(views, [2, count, size, size, 3]), [1, 0, 2, 3, 4]);
    return tf.reshape(byImage, [2 * count, size, size, 3]) as tf.Tensor4D;
  });
  try {
    const { width, height } = await writeImageGrid(out, pairs, { columns, normalize: true });
    console.error(
      `wrote ${out}: ${count} images x 2 views (${width}x${height}) from ${dir} (${split}), seed ${seed}`,
    );
  } finally {
    pairs.dispose();
  }
  return out;
}

/**
 * Reads the command line into an {@linkcode AugmentGridConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The settings, defaults filled in.
 */
export function augmentGridConfig(args: string[]): AugmentGridConfig {
  const flags = parseFlags(
    "augment-grid",
    "Writes a PNG grid of SimCLR view pairs (the tutorial's contrast_transforms) of the " +
      "first --count images of a split, seeded by --seed.",
    FLAGS,
    args,
  );
  return {
    out: flags.out as string,
    data: (flags.data as string | undefined) ?? null,
    split: flags.split as AugmentGridConfig["split"],
    seed: flags.seed as number,
    count: flags.count as number,
    columns: flags.columns as number,
  };
}

if (import.meta.main) {
  await runMain(async () => void await augmentGrid(augmentGridConfig(Deno.args)));
}

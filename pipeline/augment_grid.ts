// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { simclrViews } from "@simclr/augment";
import { selectBackend } from "@simclr/backends";
import { writeImageGrid } from "@simclr/eval";
import { DEFAULT_SEED } from "@simclr/internal/random";
import { type CommandSpec, withFlagDefaults } from "./flag.ts";
import { openData } from "./open_data.ts";
import { DATA_FLAGS } from "./run_settings.ts";
import { UsageError } from "./usage_error.ts";

/** `deno task augment-grid`: its description and flags, each a field of {@linkcode AugmentGridConfig}. */
export const AUGMENT_GRID_COMMAND: CommandSpec = {
  name: "augment-grid",
  description: "Writes a PNG grid of SimCLR view pairs (the tutorial's contrast_transforms) of " +
    "the first --count images of a split, seeded by --seed.",
  flags: [
    { name: "out", type: "string", help: "PNG file to write", default: "augment_grid.png" },
    DATA_FLAGS[0],
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
    ...DATA_FLAGS.slice(1),
  ],
};

/** What the grid shows (every flag of `deno task augment-grid`). */
export interface AugmentGridConfig {
  /** The PNG file to write. */
  out: string;
  /** An `stl10_binary` folder or an image folder, or `null` for the demo data. */
  data: string | null;
  /** Image folders: side the images are stored at (absent: 96). */
  sourceSize?: number | null;
  /** Image folders: skip files that fail to decode. */
  skipBroken?: boolean;
  /** Image folders: the folder of the decoded-image cache (absent: `.cache/image-folders`). */
  imageCache?: string | null;
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
 * @param options What to show and where (absent fields: the flags' defaults).
 * @returns The PNG's path.
 *
 * @example
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { augmentGrid } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(`${dir}/data`, { trainPerClass: 1, testPerClass: 1, unlabeled: 2, imageSize: 16 });
 * const png = await augmentGrid({ data: `${dir}/data`, out: `${dir}/grid.png`, count: 2 });
 * assert.equal(png, `${dir}/grid.png`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function augmentGrid(options: Partial<AugmentGridConfig> = {}): Promise<string> {
  const config = withFlagDefaults(AUGMENT_GRID_COMMAND.flags, options) as AugmentGridConfig;
  const { out, count, seed, columns, split } = config;
  const data = await openData({ ...config, data: config.data ?? null });
  const dir = data.dir;
  const dataset = await data.dataSet.split(split);
  if (dataset === null) {
    throw new UsageError(`--split ${split}: ${dir} has no such images`);
  }
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

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
import { encode } from "fast-png";
import { simclrViews } from "@simclr/augment";
import { openSTL10 } from "@simclr/datasets";
import { selectBackend } from "@simclr/train";
import { parseFlags, runMain, UsageError } from "./_cli.ts";
import { ensureDemoData } from "./_run.ts";

/** Lays out `[T, S, S, 3]` tiles in [0, 1] as an RGB image, `columns` per row. */
function grid(tiles: Float32Array, count: number, size: number, columns: number): {
  data: Uint8Array;
  width: number;
  height: number;
} {
  const pad = 2;
  const rows = Math.ceil(count / columns);
  const width = columns * (size + pad) + pad;
  const height = rows * (size + pad) + pad;
  const data = new Uint8Array(width * height * 3).fill(Math.round(0.9 * 255));
  for (let t = 0; t < count; t++) {
    const x0 = pad + (t % columns) * (size + pad);
    const y0 = pad + Math.floor(t / columns) * (size + pad);
    for (let y = 0; y < size; y++) {
      const src = (t * size + y) * size * 3;
      const dst = ((y0 + y) * width + x0) * 3;
      for (let i = 0; i < size * 3; i++) {
        data[dst + i] = Math.round(Math.min(1, Math.max(0, tiles[src + i])) * 255);
      }
    }
  }
  return { data, width, height };
}

await runMain(async () => {
  const flags = parseFlags(
    "augment-grid",
    "Writes a PNG grid of SimCLR view pairs (the tutorial's contrast_transforms) of the " +
      "first --count images of a split, seeded by --seed.",
    [
      { name: "out", type: "string", help: "PNG file to write", default: "augment_grid.png" },
      { name: "data", type: "string", help: "An stl10_binary folder (default: the demo data set)" },
      {
        name: "split",
        type: "string",
        help: "Split to read",
        default: "unlabeled",
        choices: ["train", "test", "unlabeled"],
      },
      { name: "seed", type: "integer", help: "Seed of the augmentations", default: 42 },
      { name: "count", type: "integer", help: "Images (two views each)", default: 6, min: 1 },
      { name: "columns", type: "integer", help: "Tiles per row", default: 6, min: 1 },
    ],
    Deno.args,
  );
  const out = (flags.out as string | undefined) ?? "augment_grid.png";
  const count = (flags.count as number | undefined) ?? 6;
  const seed = (flags.seed as number | undefined) ?? 42;
  const columns = (flags.columns as number | undefined) ?? 6;
  const split = (flags.split as "train" | "test" | "unlabeled" | undefined) ?? "unlabeled";
  const dir = (flags.data as string | undefined) ?? await ensureDemoData();
  const dataset = await openSTL10(dir, split);
  if (dataset.length < count) {
    throw new UsageError(
      `--count is ${count} but ${dir} (${split}) holds ${dataset.length} images`,
    );
  }
  const size = dataset.imageSize;
  const { pixels } = await dataset.read(Array.from({ length: count }, (_, i) => i));
  await selectBackend("cpu", { log: null }); // small batch: the CPU kernels are quick enough
  const tiles = tf.tidy(() => {
    const views = simclrViews({ pixels, height: size, width: size }, { seed, size }); // [2K, S, S, 3]
    // view-major [view0 of 0..K-1, view1 of 0..K-1] -> pairs [img0 v0, img0 v1, img1 v0, ...]
    const pairs = tf.reshape(
      tf.transpose(tf.reshape(views, [2, count, size, size, 3]), [1, 0, 2, 3, 4]),
      [
        2 * count,
        size,
        size,
        3,
      ],
    );
    const low = tf.min(pairs), high = tf.max(pairs);
    return tf.div(tf.sub(pairs, low), tf.maximum(tf.sub(high, low), 1e-5)); // make_grid(normalize=True)
  });
  const image = grid(tiles.dataSync() as Float32Array, 2 * count, size, columns);
  tiles.dispose();
  const png = encode({
    width: image.width,
    height: image.height,
    data: image.data,
    channels: 3,
    depth: 8,
  });
  const temporary = `${out}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  await Deno.writeFile(temporary, png);
  await Deno.rename(temporary, out);
  console.log(
    `wrote ${out}: ${count} images x 2 views (${image.width}x${image.height}) from ${dir} (${split}), seed ${seed}`,
  );
});

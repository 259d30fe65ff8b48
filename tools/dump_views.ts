// Copyright 2026 the simclr authors. MIT license.
/**
 * Writes one epoch of the views `deno task pretrain --preset tutorial` trains and validates on,
 * for the learning A/B's swap "our augmentations in PyTorch training"
 * (tools/tutorial_simclr.py `--aug ours`, run by tools/learning_ab.py):
 *
 * ```sh
 * deno run -A tools/dump_views.ts --data DIR --out DIR --epoch 0 --batch-size 64 \
 *   --image-size 32 --seed 1 [--preset demo] [--no-antialias]
 * ```
 *
 * The data order and views are pretrain's: training batches from
 * `batches(unlabeled, { batchSize, dropLast: true, seed, epoch })`, views
 * `simclrViews(pixels, { seed: mixSeed(seed, epoch, step), ... })` with the crop scale, hue and
 * blur of `--preset` (default tutorial; as examples/_simclr_replica.ts), validation batches of the train split
 * in order with seeds `mixSeed(seed, epoch, -1 - step)`, on the wasm backend with one thread.
 * Writes `--out`/train.f32 and `--out`/val.f32: float32 little-endian NHWC views, batch after
 * batch, each batch view-major (`[2 * n, size, size, 3]`, normalised), through temporary names.
 *
 * @module
 */
import { simclrViews } from "@simclr/augment";
import { selectBackend } from "@simclr/backends";
import { batches, openSTL10 } from "@simclr/datasets";
import { mixSeed } from "@simclr/internal/random";
import { blurSigmaRange, PRESETS } from "@simclr/pipeline";
import { parseFlags, runMain, UsageError } from "../examples/_cli.ts";

await runMain(async () => {
  const flags = parseFlags("dump-views", "One epoch of pretrain's views, as float32 files.", [
    { name: "data", type: "string", help: "An STL10 folder" },
    { name: "out", type: "string", help: "Output folder" },
    { name: "epoch", type: "integer", min: 0, default: 0, help: "Epoch (from 0)" },
    { name: "batch-size", type: "integer", min: 2, default: 64, help: "Images per batch" },
    { name: "image-size", type: "integer", min: 8, default: 32, help: "Side of the views" },
    { name: "seed", type: "integer", default: 42, help: "The run's seed" },
    {
      name: "preset",
      type: "string",
      choices: Object.keys(PRESETS),
      default: "tutorial",
      help: "Whose crop scale, hue and blur",
    },
    { name: "no-antialias", type: "boolean", help: "The float-tensor resize (no antialias)" },
  ]);
  if (flags.data === undefined || flags.out === undefined) {
    throw new UsageError("pass --data DIR and --out DIR");
  }
  await selectBackend("wasm", { threads: 1, log: null });
  const preset = PRESETS[flags.preset as string];
  const seed = flags.seed as number, epoch = flags.epoch as number;
  const batchSize = flags["batch-size"] as number, size = flags["image-size"] as number;
  const antialias = flags["no-antialias"] !== true;
  const data = flags.data as string, out = flags.out as string;
  await Deno.mkdir(out, { recursive: true });
  const write = async (
    name: string,
    epochBatches: AsyncIterable<{ pixels: Uint8Array }>,
    seedOf: (step: number) => number,
    sourceSize: number,
  ) => {
    const path = `${out}/${name}.f32`;
    const temporary = `${path}.tmp`;
    const file = await Deno.open(temporary, { write: true, create: true, truncate: true });
    try {
      let step = 0;
      for await (const batch of epochBatches) {
        const views = simclrViews({ pixels: batch.pixels, height: sourceSize, width: sourceSize }, {
          seed: seedOf(step++),
          nViews: 2,
          size,
          cropScale: [preset.cropMinScale, 1],
          hue: preset.hue,
          blurSigma: blurSigmaRange(preset.maxBlurSigma),
          antialias,
        });
        const values = await views.data() as Float32Array;
        views.dispose();
        const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
        for (let at = 0; at < bytes.length;) at += await file.write(bytes.subarray(at));
      }
    } finally {
      file.close();
    }
    await Deno.rename(temporary, path);
  };
  const train = await openSTL10(data, "unlabeled");
  const val = await openSTL10(data, "train");
  await write(
    "train",
    batches(train, { batchSize, dropLast: true, seed, epoch }),
    (step) => mixSeed(seed, epoch, step),
    train.imageSize,
  );
  await write(
    "val",
    batches(val, { batchSize: Math.min(batchSize, val.length), shuffle: false }),
    (step) => mixSeed(seed, epoch, -1 - step),
    val.imageSize,
  );
});

// Copyright 2026 the simclr authors. MIT license.
// `deno task bench`'s measurement, in a fresh process per backend, size and configuration
// (clean peak memory, no shared state): pretrain's SimCLR step (the tutorial's convnet,
// hidden 128, InfoNCE at 0.07, AdamW lr 5e-4 and weight decay 1e-4) on random views, timed.
// Prints one JSON line (a BenchRun).
//
//   deno run -A tools/bench_step.ts --backend wasm --size 32 --batch 32 --steps 3 --warmup 1 \
//     --budget 300 --threads 1 --workers 1 --accumulate 1
import { parseArgs } from "node:util";
import { selectBackend } from "@simclr/backends";
import { peakRssMiB } from "@simclr/internal/peak-rss";
import { METHOD_REPLICA_MODULE, methodConfig, simclrMethod } from "@simclr/methods";
import { AdamW, ReplicaTrainer } from "@simclr/train";

/** What one measurement found (one JSON line). */
export interface BenchRun {
  backend: string;
  device: string;
  threads: number;
  workers: number;
  accumulate: number;
  size: number;
  batch: number;
  steps: number;
  seconds: number;
  imgPerS: number;
  peakRssMb: number;
  note: string;
  loss: number;
}

/** How one measurement runs. */
export interface BenchStepOptions {
  backend: string;
  size: number;
  /** Images per view. */
  batch: number;
  steps: number;
  warmup: number;
  /** Seconds for the timed part. */
  budget: number;
  threads: number;
  workers: number;
  accumulate: number;
  /** The ResNet-18's base width (torchvision's: 64). */
  width: number;
}

/** Measures pretrain's step with `opts`. */
export async function benchStep(opts: BenchStepOptions): Promise<BenchRun> {
  const { size, batch } = opts;
  const config = methodConfig(simclrMethod, {
    backend: opts.backend as "cpu",
    threads: opts.threads,
    hiddenDim: 128,
    width: opts.width,
    stem: "imagenet",
    seed: 42,
    sourceSize: size,
    imageSize: size,
    temperature: 0.07,
    synthetic: true,
  });
  const replica = await simclrMethod.createReplica(config);
  const net = replica.model;
  const optimizer = new AdamW(net.parameters(), {
    lr: 5e-4,
    weightDecay: 1e-4,
    noDecay: [...net.noDecayNames()],
  });
  const trainer = await ReplicaTrainer.start({
    replica,
    optimizer,
    workers: opts.workers,
    accumulate: opts.accumulate,
    module: METHOD_REPLICA_MODULE,
    config,
    maxBatchSize: batch,
    outputDim: 128,
  });
  const selected = await selectBackend(opts.backend as "cpu", { log: null, threads: opts.threads });
  // A new batch every step (repeating one lets the loss collapse, and denormal gradients slow wasm)
  const step = async (images: number, seed: number): Promise<number> =>
    (await trainer.step(images, () => ({ pixels: new Uint8Array(0), seed, labels: null }))).loss;

  // Tiny warm-up (2 x max(2, workers) images): initialises the backend's kernels at this size.
  const tinyBatch = Math.max(2, opts.workers);
  let t0 = performance.now();
  await step(tinyBatch, 1);
  const tinySeconds = (performance.now() - t0) / 1000;
  let note = "";
  let warmup = opts.warmup;
  if (warmup > 0 && tinySeconds * batch / tinyBatch > opts.budget / 2) {
    warmup = 0;
    note = `no full-size warm-up (a 2x${tinyBatch} step took ${tinySeconds.toFixed(1)} s)`;
  }
  for (let i = 0; i < warmup; i++) await step(batch, 2 + i);
  let steps = 0, loss = NaN;
  t0 = performance.now();
  while (steps < opts.steps) {
    loss = await step(batch, 2 + warmup + steps);
    steps++;
    if ((performance.now() - t0) / 1000 > opts.budget) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  trainer.close();
  if (steps < opts.steps) {
    note = [note, `${steps} of ${opts.steps} timed steps within the ${opts.budget} s budget`]
      .filter((s) => s).join("; ");
  }
  return {
    backend: selected.name,
    device: selected.device,
    threads: selected.threads,
    workers: opts.workers,
    accumulate: opts.accumulate,
    size,
    batch,
    steps,
    seconds,
    imgPerS: 2 * batch * steps / seconds,
    peakRssMb: peakRssMiB(),
    note,
    loss,
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: Object.fromEntries(
      [
        "backend",
        "size",
        "batch",
        "steps",
        "warmup",
        "budget",
        "threads",
        "workers",
        "accumulate",
        "width",
      ].map((name) => [name, { type: "string" as const }]),
    ),
  });
  const number = (name: string) => Number(values[name]);
  const run = await benchStep({
    backend: String(values.backend),
    ...Object.fromEntries(
      ["size", "batch", "steps", "warmup", "budget", "threads", "workers", "accumulate", "width"]
        .map(
          (k) => [k, number(k)],
        ),
    ) as Omit<BenchStepOptions, "backend">,
  });
  console.log(JSON.stringify(run));
}

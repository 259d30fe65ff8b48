import { checkInteger } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import type { ImageSource } from "./image_source.ts";

/** One batch yielded by {@linkcode batches}. */
export interface Batch {
  /** HWC row-major bytes of the batch's images. */
  pixels: Uint8Array;
  /** 0-based labels, or `null` when the source has none. */
  labels: Int32Array | null;
  /** Indices into the source of the images, in batch order. */
  indices: Int32Array;
  /** Epoch of this batch. */
  epoch: number;
  /** Step of this batch within its epoch (0-based). */
  step: number;
}

/** Options of {@linkcode batches} and {@linkcode epochOrder}. */
export interface BatchOptions {
  /** Images per batch. */
  batchSize: number;
  /** Drop the last, incomplete batch of the epoch (as PyTorch's `drop_last`). Default `false`. */
  dropLast?: boolean;
  /** Shuffle the order of each epoch. Default `true`. */
  shuffle?: boolean;
  /** Seed of the shuffling; with `epoch`, it alone determines the order. Default 42. */
  seed?: number;
  /** The epoch to iterate. Default 0. */
  epoch?: number;
  /** First step to yield, to resume an epoch from a checkpoint. Default 0. */
  startStep?: number;
  /** Read the next batch while the caller works on the current one. Default `true`. */
  prefetch?: boolean;
}

/**
 * The order in which an epoch visits `length` images: a permutation that depends only on
 * `seed` and `epoch` (so a run resumed from a checkpoint sees the same order), or `0..length-1`
 * when `shuffle` is `false`.
 *
 * @param length Number of images.
 * @param options `seed`, `epoch` and `shuffle` (other fields are ignored).
 * @returns The image indices of the epoch, in visiting order.
 *
 * @example
 * ```ts
 * import { epochOrder } from "@simclr/datasets";
 * import { deepStrictEqual, notDeepStrictEqual } from "node:assert/strict";
 *
 * const a = epochOrder(10, { seed: 1, epoch: 0 });
 * deepStrictEqual(a, epochOrder(10, { seed: 1, epoch: 0 }));
 * notDeepStrictEqual(a, epochOrder(10, { seed: 1, epoch: 1 }));
 * deepStrictEqual([...a].sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
 * ```
 */
export function epochOrder(
  length: number,
  options: { seed?: number; epoch?: number; shuffle?: boolean } = {},
): Int32Array {
  const fn = "epochOrder()";
  checkInteger(fn, "length", length, { min: 0 });
  const { seed = DEFAULT_SEED, epoch = 0, shuffle = true } = options;
  checkInteger(fn, "options.epoch", epoch, { min: 0 });
  checkInteger(fn, "options.seed", seed);
  const order = new Int32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  if (shuffle) createRng(seed, epoch, 0x0b47c4).shuffle(order);
  return order;
}

/**
 * Number of batches in one epoch.
 *
 * @param length Number of images.
 * @param options `batchSize`, and `dropLast` to drop an incomplete last batch (default false).
 * @returns `floor(length / batchSize)` with `dropLast`, else `ceil(length / batchSize)`.
 *
 * @example
 * ```ts
 * import { stepsPerEpoch } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * strictEqual(stepsPerEpoch(10, { batchSize: 4 }), 3);
 * strictEqual(stepsPerEpoch(10, { batchSize: 4, dropLast: true }), 2);
 * ```
 */
export function stepsPerEpoch(
  length: number,
  options: Pick<BatchOptions, "batchSize" | "dropLast">,
): number {
  const { batchSize, dropLast = false } = options;
  checkInteger("stepsPerEpoch()", "length", length, { min: 0 });
  checkInteger("stepsPerEpoch()", "options.batchSize", batchSize, { min: 1 });
  return dropLast ? Math.floor(length / batchSize) : Math.ceil(length / batchSize);
}

/**
 * Iterates one epoch of `source` in seeded shuffled batches. The order depends only on
 * `seed` and `epoch` ({@linkcode epochOrder}), and `startStep` resumes mid-epoch. With
 * `prefetch` (default), the next batch is read and decoded while the caller works on the
 * current one.
 *
 * @param source A split from {@linkcode openSTL10} or a subset of one.
 * @param options Batch size, shuffling, seed, epoch, resume step, prefetch.
 * @returns An async iterator of batches.
 *
 * @example Two epochs over a small data set
 * ```ts
 * import { batches, generateDemoData, openSTL10 } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 1, testPerClass: 1, unlabeled: 0 });
 * const train = await openSTL10(dir, "train");
 * for (let epoch = 0; epoch < 2; epoch++) {
 *   let seen = 0;
 *   for await (const b of batches(train, { batchSize: 4, seed: 7, epoch })) {
 *     seen += b.indices.length; // b.pixels: 96*96*3 bytes per image
 *   }
 *   strictEqual(seen, 10);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function* batches(
  source: Pick<ImageSource, "length" | "read">,
  options: BatchOptions,
): AsyncGenerator<Batch, void, undefined> {
  const { batchSize, dropLast = false, epoch = 0, startStep = 0, prefetch = true } = options;
  checkInteger("batches()", "options.batchSize", batchSize, { min: 1 });
  checkInteger("batches()", "options.startStep", startStep, { min: 0 });
  const order = epochOrder(source.length, options);
  const steps = stepsPerEpoch(source.length, { batchSize, dropLast });
  const load = (step: number): Promise<Batch> => {
    const indices = order.slice(step * batchSize, Math.min((step + 1) * batchSize, order.length));
    return source.read(indices).then((b) => ({ ...b, indices, epoch, step }));
  };
  // A prefetched read that the caller never awaits (early break) must not reject unhandled.
  const guard = (p: Promise<Batch>): Promise<Batch> => {
    p.catch(() => {});
    return p;
  };
  let next: Promise<Batch> | null = startStep < steps ? load(startStep) : null;
  for (let step = startStep; step < steps; step++) {
    const current = await next!;
    next = step + 1 < steps && prefetch ? guard(load(step + 1)) : null;
    yield current;
    if (!prefetch && step + 1 < steps) next = load(step + 1);
  }
}

import { checkInteger, checkNumber } from "@simclr/internal/checks";
import type { LRSchedule } from "./lr_schedule.ts";

/** Options of {@linkcode linearWarmup}. */
export interface LinearWarmupOptions {
  /** Epochs over which the factor rises linearly to 1. */
  warmupEpochs: number;
  /** Factor at epoch 0. Default `1 / (warmupEpochs + 1)`. */
  startFactor?: number;
}

/**
 * Wraps a schedule with a linear warm-up (PyTorch's `LinearLR` chained before it): during the
 * first `warmupEpochs` epochs the rate is `schedule(epoch)` times a factor that rises linearly
 * from `startFactor` to 1.
 *
 * @param schedule The schedule after warm-up.
 * @param options Warm-up length and starting factor.
 * @returns The warmed-up schedule.
 *
 * @example
 * ```ts
 * import { cosineAnnealingLR, linearWarmup } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const schedule = linearWarmup(cosineAnnealingLR({ baseLr: 1, tMax: 100 }), {
 *   warmupEpochs: 4,
 *   startFactor: 0.2,
 * });
 * assert.ok(Math.abs(schedule(0) - 0.2) < 1e-12); // startFactor * base
 * assert.ok(Math.abs(schedule(2) - 0.6 * cosineAnnealingLR({ baseLr: 1, tMax: 100 })(2)) < 1e-12);
 * assert.equal(schedule(4), cosineAnnealingLR({ baseLr: 1, tMax: 100 })(4)); // warmed up
 * ```
 */
export function linearWarmup(schedule: LRSchedule, options: LinearWarmupOptions): LRSchedule {
  const { warmupEpochs } = options;
  checkInteger("linearWarmup()", "options.warmupEpochs", warmupEpochs, { min: 0 });
  const startFactor = options.startFactor ?? 1 / (warmupEpochs + 1);
  checkNumber("linearWarmup()", "options.startFactor", startFactor, {
    min: 0,
    max: 1,
    exclusiveMin: true,
  });
  return (epoch) => {
    const factor = epoch >= warmupEpochs
      ? 1
      : startFactor + (1 - startFactor) * epoch / warmupEpochs;
    return schedule(epoch) * factor;
  };
}

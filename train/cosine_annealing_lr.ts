import { checkInteger, checkNumber } from "@simclr/internal/checks";
import type { LRSchedule } from "./lr_schedule.ts";

/** Options of {@linkcode cosineAnnealingLR}. */
export interface CosineAnnealingOptions {
  /** Learning rate at epoch 0. */
  baseLr: number;
  /** Epochs of half a cosine period (the tutorial: `max_epochs`). */
  tMax: number;
  /** Lowest learning rate (the tutorial: `lr / 50`). Default 0. */
  etaMin?: number;
}

/**
 * `torch.optim.lr_scheduler.CosineAnnealingLR`:
 * `etaMin + (baseLr - etaMin) * (1 + cos(pi * epoch / tMax)) / 2`, continued as PyTorch does
 * past `tMax` (the cosine rises again).
 *
 * @param options Base rate, half period and floor.
 * @returns The schedule.
 *
 * @example
 * ```ts
 * import { cosineAnnealingLR } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const schedule = cosineAnnealingLR({ baseLr: 5e-4, tMax: 500, etaMin: 5e-4 / 50 });
 * assert.equal(schedule(0), 5e-4);
 * assert.ok(Math.abs(schedule(250) - (1e-5 + 5e-4) / 2) < 1e-12); // half way: the mean
 * assert.ok(Math.abs(schedule(500) - 1e-5) < 1e-12);
 * ```
 */
export function cosineAnnealingLR(options: CosineAnnealingOptions): LRSchedule {
  const { baseLr, tMax, etaMin = 0 } = options;
  const fn = "cosineAnnealingLR()";
  checkNumber(fn, "options.baseLr", baseLr, { min: 0 });
  checkNumber(fn, "options.etaMin", etaMin, { min: 0 });
  checkInteger(fn, "options.tMax", tMax, { min: 1 });
  return (epoch) => {
    checkInteger("LRSchedule()", "epoch", epoch, { min: 0 });
    return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
  };
}

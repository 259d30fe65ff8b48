import { checkInteger, checkNumber } from "@simclr/internal/checks";
import type { LRSchedule } from "./lr_schedule.ts";

/** Options of {@linkcode multiStepLR}. */
export interface MultiStepOptions {
  /** Learning rate at epoch 0. */
  baseLr: number;
  /** Epochs at which the rate is multiplied by `gamma`. */
  milestones: number[];
  /** The factor. Default `0.1`. */
  gamma?: number;
}

/**
 * `torch.optim.lr_scheduler.MultiStepLR`: `baseLr * gamma ** (milestones passed)`, where a
 * milestone `m` counts from epoch `m` on.
 *
 * @param options Base rate, milestones and factor.
 * @returns The schedule.
 *
 * @example
 * ```ts
 * import { multiStepLR } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const schedule = multiStepLR({ baseLr: 1e-3, milestones: [60, 80], gamma: 0.1 });
 * assert.equal(schedule(59), 1e-3);
 * assert.ok(Math.abs(schedule(60) - 1e-4) < 1e-18);
 * assert.ok(Math.abs(schedule(80) - 1e-5) < 1e-18);
 * ```
 */
export function multiStepLR(options: MultiStepOptions): LRSchedule {
  const { baseLr, milestones, gamma = 0.1 } = options;
  const fn = "multiStepLR()";
  checkNumber(fn, "options.baseLr", baseLr, { min: 0 });
  checkNumber(fn, "options.gamma", gamma, { min: 0 });
  milestones.forEach((m, i) => checkInteger(fn, `options.milestones[${i}]`, m, { min: 0 }));
  return (epoch) => {
    checkInteger("LRSchedule()", "epoch", epoch, { min: 0 });
    // PyTorch multiplies once per milestone reached, so repeated milestones count twice.
    const passed = milestones.filter((m) => m <= epoch).length;
    return baseLr * gamma ** passed;
  };
}

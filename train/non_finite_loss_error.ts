// Copyright 2026 the simclr authors. MIT license.

/** Where a training step is within the run. */
export interface StepContext {
  /** 0-based epoch. */
  epoch: number;
  /** 0-based step within the epoch. */
  step: number;
  /** Steps before this one over the whole run. */
  globalStep: number;
}

/**
 * Raised when the loss becomes NaN or infinite: the optimiser step is skipped, so the
 * parameters keep their last finite values (and `fit()` keeps the last good checkpoint).
 *
 * @example
 * ```ts
 * import { NonFiniteLossError } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const error = new NonFiniteLossError(NaN, { epoch: 2, step: 4, globalStep: 40 });
 * assert.match(error.message, /the loss is NaN at epoch 3, step 5/);
 * ```
 */
export class NonFiniteLossError extends Error {
  /**
   * Builds the message from the loss and, when known, where it happened.
   *
   * @param value The loss.
   * @param context The step (0-based epoch and step), when known.
   */
  constructor(readonly value: number, readonly context?: StepContext) {
    const where = context ? ` at epoch ${context.epoch + 1}, step ${context.step + 1}` : "";
    super(
      `training stopped: the loss is ${value}${where}; the optimiser step was skipped and the ` +
        `last good checkpoint is kept. Lower the learning rate or check the data.`,
    );
    this.name = "NonFiniteLossError";
  }
}

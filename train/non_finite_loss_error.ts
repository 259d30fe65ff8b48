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

/** What else a {@linkcode NonFiniteLossError} says. */
export interface NonFiniteDetails {
  /** What was not finite: the loss (default), or the gradients (the loss being finite). */
  quantity?: "loss" | "gradients";
  /**
   * The last good checkpoint, kept (e.g. `run/checkpoints/last (end of epoch 2)`); `null`:
   * none was written yet. Unsaid when unknown.
   */
  checkpoint?: string | null;
}

/**
 * Raised when the loss, or the gradients of a finite loss, become NaN or infinite: the
 * optimiser step is skipped, so the parameters keep their last finite values (and `fit()` keeps
 * the last good checkpoint). The message names the epoch and step (1-based, as shown to people)
 * and the usual cures: a lower learning rate, a larger temperature.
 *
 * @example
 * ```ts
 * import { NonFiniteLossError } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const error = new NonFiniteLossError(NaN, { epoch: 2, step: 4, globalStep: 40 });
 * assert.match(error.message, /the loss is NaN at epoch 3, step 5 \(global step 41\)/);
 * assert.match(error.message, /lower learning rate \(--lr\)/);
 * const grads = new NonFiniteLossError(Infinity, undefined, { quantity: "gradients" });
 * assert.match(grads.message, /the gradients are not finite \(their sum is Infinity\)/);
 * ```
 */
export class NonFiniteLossError extends Error {
  /** What was not finite. */
  readonly quantity: "loss" | "gradients";

  /**
   * Builds the message from the value and, when known, where it happened.
   *
   * @param value The loss (or the sum of the gradients).
   * @param context The step (0-based epoch and step), when known.
   * @param details Whether the gradients were at fault, and the checkpoint kept.
   */
  constructor(
    readonly value: number,
    readonly context?: StepContext,
    details: NonFiniteDetails = {},
  ) {
    const quantity = details.quantity ?? "loss";
    const where = context
      ? ` at epoch ${context.epoch + 1}, step ${context.step + 1} (global step ${
        context.globalStep + 1
      })`
      : "";
    const what = quantity === "loss"
      ? `the loss is ${value}`
      : `the gradients are not finite (their sum is ${value})`;
    const kept = details.checkpoint === null
      ? "no checkpoint was written yet"
      : `the last good checkpoint${details.checkpoint ? `, ${details.checkpoint},` : ""} is kept`;
    super(
      `training stopped: ${what}${where}; the optimiser step was skipped and ${kept}. ` +
        "Usual cures: a lower learning rate (--lr), a larger " +
        "temperature (--temperature: a small one overflows the logits), or look for NaN or " +
        "Inf in the data",
    );
    this.name = "NonFiniteLossError";
    this.quantity = quantity;
  }
}

// Copyright 2026 the simclr authors. MIT license.

/** Signal numbers on Linux and macOS, for the exit code of a process they stop (128 + it). */
const SIGNAL_NUMBERS: Record<string, number> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGTERM: 15,
  // SIGUSR1 and SIGUSR2 differ between Linux (10, 12) and macOS (30, 31)
  SIGUSR1: Deno.build.os === "darwin" ? 30 : 10,
  SIGUSR2: Deno.build.os === "darwin" ? 31 : 12,
};

/**
 * Raised by `fit()` when the run was asked to stop (SIGINT, Ctrl-C, or SIGTERM): the current
 * step was finished and a checkpoint written. The message says where the run stopped, which
 * checkpoint holds it and how to continue; `exitCode` is the shell's for the signal (130 for
 * SIGINT, 143 for SIGTERM), which commands exit with.
 *
 * @example
 * ```ts
 * import { TrainingInterruptedError } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const error = new TrainingInterruptedError("SIGTERM", "stopped at epoch 2, step 5");
 * assert.equal(error.exitCode, 143);
 * assert.equal(error.message, "SIGTERM: stopped at epoch 2, step 5");
 * ```
 */
export class TrainingInterruptedError extends Error {
  /** The exit code of a process stopped by the signal: 128 + its number. */
  readonly exitCode: number;

  /**
   * Builds the error.
   *
   * @param signal The signal that stopped the run.
   * @param detail Where it stopped, the checkpoint and how to resume.
   */
  constructor(readonly signal: Deno.Signal, detail: string) {
    super(`${signal}: ${detail}`);
    this.name = "TrainingInterruptedError";
    this.exitCode = 128 + (SIGNAL_NUMBERS[signal] ?? SIGNAL_NUMBERS.SIGINT);
  }
}

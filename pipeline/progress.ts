// Copyright 2026 the simclr authors. MIT license.

/** Where a pipeline function is: sent after each training step or probe size. */
export interface ProgressEvent {
  /** The function: `pretrain`, `baseline` or `probe`. */
  stage: string;
  /** Epoch, from 0 (the probe: 0). */
  epoch: number;
  /** Epochs of the run (the probe: 1). */
  epochs: number;
  /** Steps done in this epoch (the probe: sizes done). */
  step: number;
  /** Steps in an epoch (the probe: its sizes). */
  steps: number;
  /** The last step's training loss (the probe: the last size's test accuracy). */
  value: number;
}

/**
 * A progress callback: when a pipeline function gets one, it calls it instead of drawing the
 * terminal's progress bars.
 */
export type PipelineProgress = (event: ProgressEvent) => void;

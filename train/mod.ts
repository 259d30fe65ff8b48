/**
 * Training for SimCLR on TensorFlow.js: backend selection, optimisers, learning-rate
 * schedules, the fit loop and checkpoints.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@simclr/train";
 *
 * const backend = await selectBackend("auto", { log: null });
 * console.log(`training on ${backend.name} (${backend.device})`);
 * ```
 *
 * @module
 */
export * from "./select_backend.ts";
export * from "./adamw.ts";
export type { LRSchedule } from "./lr_schedule.ts";
export * from "./cosine_annealing_lr.ts";
export * from "./multi_step_lr.ts";
export * from "./linear_warmup.ts";
export { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.ts";
export * from "./fit.ts";
export * from "./contrastive_step.ts";
export * from "./conv_gradients.ts";
export * from "./cpu_conv_kernels.ts";
export * from "./wasm_kernels.ts";
export * from "./conv_backprop.ts";

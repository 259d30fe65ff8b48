/**
 * A learning-rate schedule: the learning rate to use during a given epoch (0-based), as
 * PyTorch's schedulers give after `epoch` calls of `scheduler.step()`.
 */
export type LRSchedule = (epoch: number) => number;

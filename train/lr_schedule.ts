/**
 * A learning-rate schedule: the learning rate to use during a given epoch (0-based), as
 * PyTorch's schedulers give after `epoch` calls of `scheduler.step()`.
 */
export type LRSchedule = (epoch: number) => number;

/** @internal Throws a RangeError unless `value` is a finite number >= 0. */
export function checkRate(fn: string, name: string, value: number): void {
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new RangeError(`${fn}: ${name} must be a finite number >= 0, got ${value}`);
  }
}

/** @internal Throws a RangeError unless `epoch` is an integer >= 0. */
export function checkEpoch(epoch: number): void {
  if (!(Number.isInteger(epoch) && epoch >= 0)) {
    throw new RangeError(`learning-rate schedule: epoch must be an integer >= 0, got ${epoch}`);
  }
}

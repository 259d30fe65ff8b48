// Copyright 2026 the simclr authors. MIT license.
// Internal: the cross-replica sum that BatchNorm's training mode uses while a data-parallel
// step runs (see sync_batch_norm.ts); null outside one.

/** Sums `values` over every replica: the same result, bit for bit, on each (blocking). */
export type ReplicaSum = (values: Float64Array) => Float64Array;

let current: ReplicaSum | null = null;

/** The sum in effect, or null when BatchNorm uses this process's batch alone. */
export function currentReplicaSum(): ReplicaSum | null {
  return current;
}

/** Runs `fn` with `sum` in effect (restoring the previous one after). */
export function withReplicaSum<T>(sum: ReplicaSum | null, fn: () => T): T {
  const previous = current;
  current = sum;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

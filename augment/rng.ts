import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { skipN } from "pure-rand/utils/skipN";

/**
 * A seeded source of random numbers (stateful: each call advances it). The augmentations draw
 * their parameters from one, so a seed fixes every view.
 */
export interface Rng {
  /** A float uniform in `[low, high)`, as `torch.empty(1).uniform_(low, high)`. */
  uniform(low: number, high: number): number;
  /** An integer uniform in `[low, high]` (both included). */
  integer(low: number, high: number): number;
  /** A uniformly random permutation of `0..n-1`, as `torch.randperm(n)`. */
  permutation(n: number): number[];
}

/**
 * Creates a seeded {@linkcode Rng} on pure-rand's xoroshiro128+ generator (no `Math.random`).
 * Seeds are integers; the generator takes 32 bits, so seeds beyond 2^32 fold their high bits
 * in. The first outputs are skipped so that nearby seeds give unrelated streams.
 *
 * @param seed An integer seed.
 * @returns A new generator; equal seeds give equal sequences.
 *
 * @example
 * ```ts
 * import { createRng } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * const a = createRng(7), b = createRng(7);
 * assert.equal(a.uniform(0, 1), b.uniform(0, 1));
 * const die = a.integer(1, 6);
 * assert(die >= 1 && die <= 6);
 * assert.deepEqual(a.permutation(4).toSorted(), [0, 1, 2, 3]);
 * ```
 */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed is ${seed}: expected a (safe) integer`);
  }
  const high = Math.floor(seed / 2 ** 32);
  const generator = xoroshiro128plus((seed ^ Math.imul(high, 0x9e3779b1)) | 0);
  skipN(generator, 32);
  const integer = (low: number, high: number): number => uniformInt(generator, low, high);
  return {
    uniform: (low, high) => low + (high - low) * uniformFloat64(generator),
    integer,
    permutation(n) {
      const out = Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = integer(0, i);
        [out[i], out[j]] = [out[j], out[i]];
      }
      return out;
    },
  };
}

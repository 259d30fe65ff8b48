// Copyright 2026 the simclr authors. MIT license.
/**
 * The one seeded random generator of the project: xoroshiro128+ (pure-rand), seeded from one
 * or more integers through {@linkcode mixSeed}. No `Math.random` anywhere: a seed fixes every
 * initialisation, data order, augmentation and demo image.
 *
 * @module
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { skipN } from "pure-rand/utils/skipN";
import { argumentMessage, show } from "./checks.ts";

/** The seed every seeded function uses when none is given: the tutorial's `seed_everything(42)`. */
export const DEFAULT_SEED = 42;

/**
 * A seeded source of random numbers (stateful: each call advances it).
 */
export interface Rng {
  /** A float uniform in `[0, 1)` with 53 random bits. */
  float(): number;
  /** A float uniform in `[low, high)`, as `torch.empty(1).uniform_(low, high)`. */
  uniform(low: number, high: number): number;
  /** An integer uniform in `[low, high]` (both included). */
  integer(low: number, high: number): number;
  /** A standard normal sample (Box-Muller; the second value of each pair is kept for the next call). */
  normal(): number;
  /** A raw unsigned 32-bit integer. */
  u32(): number;
  /** A uniformly random permutation of `0..n-1`, as `torch.randperm(n)`. */
  permutation(n: number): number[];
  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(values: T): T;
}

/**
 * Mixes integers (a seed, an epoch, a step, a stream id...) into one 32-bit seed, order
 * sensitive: murmur3's mixing per 32-bit word, folding in the high bits of integers beyond
 * 2^32, and its finaliser.
 *
 * @param words Integers (safe integers; negative ones are fine).
 * @returns A signed 32-bit integer.
 *
 * @example
 * ```ts
 * import { mixSeed } from "@simclr/internal/random";
 * import assert from "node:assert/strict";
 *
 * assert.equal(mixSeed(42, 0, 1), mixSeed(42, 0, 1));
 * assert.notEqual(mixSeed(42, 0, 1), mixSeed(42, 1, 0));
 * ```
 */
export function mixSeed(...words: number[]): number {
  return mixWords("mixSeed()", words);
}

/** {@linkcode mixSeed} for `fn`, which names itself in the error about a bad word. */
function mixWords(fn: string, words: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const [i, w] of words.entries()) {
    if (!Number.isSafeInteger(w)) {
      throw new RangeError(argumentMessage(fn, `words[${i}] is ${show(w)}`, "a safe integer"));
    }
    let k = Math.imul(w | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    h ^= Math.floor(w / 0x100000000) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * A seeded {@linkcode Rng} from one or more integers (`createRng(seed, epoch, step)`): equal
 * words give equal sequences, and nearby words unrelated ones (the words are hashed by
 * {@linkcode mixSeed} and the generator's first outputs skipped).
 *
 * @param words Integers that together name the stream.
 * @returns A new generator.
 *
 * @example
 * ```ts
 * import { createRng } from "@simclr/internal/random";
 * import assert from "node:assert/strict";
 *
 * const a = createRng(7), b = createRng(7);
 * assert.equal(a.uniform(0, 1), b.uniform(0, 1));
 * const die = a.integer(1, 6);
 * assert.ok(die >= 1 && die <= 6);
 * assert.deepEqual(a.permutation(4).toSorted(), [0, 1, 2, 3]);
 * ```
 */
export function createRng(...words: number[]): Rng {
  if (words.length === 0) {
    throw new RangeError(argumentMessage("createRng()", "words is empty", "one or more integers"));
  }
  const generator = xoroshiro128plus(mixWords("createRng()", words));
  skipN(generator, 32);
  const float = (): number => uniformFloat64(generator);
  const integer = (low: number, high: number): number => uniformInt(generator, low, high);
  let spare: number | null = null;
  const rng: Rng = {
    float,
    uniform: (low, high) => low + (high - low) * float(),
    integer,
    normal() {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      const radius = Math.sqrt(-2 * Math.log(1 - float())); // 1 - u lies in (0, 1]
      const angle = 2 * Math.PI * float();
      spare = radius * Math.sin(angle);
      return radius * Math.cos(angle);
    },
    u32: () => generator.next() >>> 0,
    permutation: (n) => rng.shuffle(Array.from({ length: n }, (_, i) => i)),
    shuffle(values) {
      for (let i = values.length - 1; i > 0; i--) {
        const j = integer(0, i);
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
      }
      return values;
    },
  };
  return rng;
}

// Internal seeded random helpers on top of pure-rand (no Math.random anywhere).
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";

/** A small seeded random source. */
export interface Rng {
  /** Uniform integer in `[min, max]` (both included). */
  int(min: number, max: number): number;
  /** Uniform float in `[0, 1)`. */
  float(): number;
  /** Uniform float in `[min, max)`. */
  range(min: number, max: number): number;
  /** A raw 32-bit unsigned integer (to seed fast local generators). */
  u32(): number;
}

/** Mixes several integers into one 32-bit seed (murmur3-style finaliser per word). */
export function mixSeed(...words: number[]): number {
  let h = 0x9e3779b9 | 0;
  for (const w of words) {
    let k = Math.imul(w | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Also fold the high part of large (non 32-bit) integers.
    h ^= Math.floor(w / 0x100000000) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Creates a seeded generator from one or more integers (seed, epoch, stream...). */
export function createRng(...seedWords: number[]): Rng {
  const g = xoroshiro128plus(mixSeed(...seedWords));
  return {
    int: (min, max) => uniformInt(g, min, max),
    float: () => uniformFloat64(g),
    range: (min, max) => min + (max - min) * uniformFloat64(g),
    u32: () => g.next() >>> 0,
  };
}

/** In-place Fisher-Yates shuffle driven by `rng`. */
export function shuffleInPlace(values: Int32Array | number[], rng: Rng): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = values[i];
    values[i] = values[j];
    values[j] = t;
  }
}

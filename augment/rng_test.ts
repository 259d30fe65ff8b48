import assert from "node:assert/strict";
import { createRng } from "./rng.ts";
import { assertNear, mean } from "./_test_stats.ts";

Deno.test("createRng() repeats for a seed and differs between seeds", () => {
  const draw = (seed: number) => {
    const rng = createRng(seed);
    return Array.from({ length: 8 }, () => rng.uniform(0, 1));
  };
  assert.deepEqual(draw(3), draw(3));
  assert.notDeepEqual(draw(3), draw(4));
  assert.notDeepEqual(draw(0), draw(2 ** 32)); // high bits count
  assert.throws(() => createRng(1.5), { name: "RangeError", message: /seed is 1.5/ });
});

Deno.test("createRng() draws uniform floats, integers and permutations", () => {
  const rng = createRng(9);
  const n = 20000;
  const floats = Array.from({ length: n }, () => rng.uniform(2, 4));
  assert(floats.every((v) => v >= 2 && v < 4));
  assertNear(mean(floats), 3, 6 * (2 / Math.sqrt(12)) / Math.sqrt(n), "mean");
  const ints = Array.from({ length: n }, () => rng.integer(0, 4));
  for (let k = 0; k <= 4; k++) {
    assertNear(mean(ints.map((v) => (v === k ? 1 : 0))), 0.2, 0.02, `rate of ${k}`);
  }
  const firsts = Array.from({ length: n }, () => rng.permutation(3)[0]);
  for (let k = 0; k < 3; k++) {
    assertNear(mean(firsts.map((v) => (v === k ? 1 : 0))), 1 / 3, 0.02, `first = ${k}`);
  }
});

import assert from "node:assert/strict";
import { createRng } from "./rng.ts";
import { colorJitterRanges, sampleColorJitter } from "./sample_color_jitter.ts";
import { assertNear, mean, std } from "./_test_utils.ts";

Deno.test("`sampleColorJitter()` draws uniform factors and uniformly random orders", () => {
  const rng = createRng(5);
  const n = 24000;
  const draws = Array.from({ length: n }, () => sampleColorJitter(rng));
  for (
    const [key, low, high] of [
      ["brightness", 0.5, 1.5],
      ["contrast", 0.5, 1.5],
      ["saturation", 0.5, 1.5],
      ["hue", -0.1, 0.1],
    ] as const
  ) {
    const values = draws.map((d) => d[key]!);
    assert(values.every((v) => v >= low && v < high), `${key} outside [${low}, ${high})`);
    const width = high - low;
    const sd = width / Math.sqrt(12);
    assertNear(mean(values), (low + high) / 2, 6 * sd / Math.sqrt(n), `mean ${key}`);
    assertNear(std(values), sd, 0.02 * sd, `std ${key}`);
  }
  // Each of the 24 orders with probability 1/24 (sd of a count: sqrt(n p (1 - p)) ~ 31)
  const counts = new Map<string, number>();
  for (const d of draws) counts.set(d.order.join(), (counts.get(d.order.join()) ?? 0) + 1);
  assert.equal(counts.size, 24);
  for (const [order, count] of counts) assertNear(count, n / 24, 6 * 31, `order ${order}`);
});

Deno.test("`colorJitterRanges()` follows ColorJitter._check_input", () => {
  assert.deepEqual(colorJitterRanges(), [[0.5, 1.5], [0.5, 1.5], [0.5, 1.5], [-0.1, 0.1]]);
  assert.deepEqual(
    colorJitterRanges({ brightness: 1.5, contrast: [0.2, 0.4], saturation: 0, hue: 0 }),
    [[0, 2.5], [0.2, 0.4], null, null],
  );
  assert.deepEqual(
    sampleColorJitter(createRng(0), { brightness: 0, hue: [0, 0] }).brightness,
    null,
  );
  assert.throws(() => colorJitterRanges({ brightness: -1 }), {
    name: "RangeError",
    message:
      "colorJitterRanges(): options.brightness is -1: expected a non-negative number or a [min, max] range",
  });
  assert.throws(() => colorJitterRanges({ contrast: [1.5, 0.5] }), {
    name: "RangeError",
    message: "colorJitterRanges(): options.contrast is [1.5, 0.5]: expected 0 <= min <= max",
  });
  assert.throws(() => colorJitterRanges({ hue: 0.6 }), {
    name: "RangeError",
    message:
      "colorJitterRanges(): options.hue is 0.6: expected a number in [0, 0.5] or a [min, max] range",
  });
});

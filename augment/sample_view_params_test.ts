import assert from "node:assert/strict";
import { createRng } from "./rng.ts";
import { sampleViewParams } from "./sample_view_params.ts";
import { assertNear, mean } from "./_test_utils.ts";

Deno.test("`sampleViewParams()` applies flip, jitter and grayscale at the tutorial's rates", () => {
  const rng = createRng(21);
  const n = 20000;
  const views = Array.from({ length: n }, () => sampleViewParams(rng, 96, 96));
  const rate = (f: (i: number) => boolean) => mean(views.map((_, i) => (f(i) ? 1 : 0)));
  const tol = (p: number) => 6 * Math.sqrt(p * (1 - p) / n);
  assertNear(rate((i) => views[i].flip), 0.5, tol(0.5), "flip rate");
  assertNear(rate((i) => views[i].jitter !== null), 0.8, tol(0.8), "jitter rate");
  assertNear(rate((i) => views[i].grayscale), 0.2, tol(0.2), "grayscale rate");
  const sigmas = views.map((v) => v.sigma!);
  assert(sigmas.every((s) => s >= 0.1 && s < 2));
  assertNear(mean(sigmas), 1.05, 6 * (1.9 / Math.sqrt(12)) / Math.sqrt(n), "mean sigma");
  assertNear(rate((i) => sigmas[i] < 0.575), 0.25, tol(0.25), "sigma lower quartile");
});

Deno.test("`sampleViewParams()` honours probabilities 0 and 1 and rejects others", () => {
  const rng = createRng(2);
  for (let i = 0; i < 200; i++) {
    const v = sampleViewParams(rng, 32, 32, {
      flipProbability: 1,
      jitterProbability: 0,
      grayscaleProbability: 0,
      blurSigma: [0.3, 0.3],
    });
    assert.equal(v.flip, true);
    assert.equal(v.jitter, null);
    assert.equal(v.grayscale, false);
    assert.equal(v.sigma, 0.3);
  }
  assert.throws(() => sampleViewParams(rng, 32, 32, { flipProbability: 1.5 }), {
    name: "RangeError",
    message: "sampleViewParams(): options.flipProbability is 1.5: expected a number in [0, 1]",
  });
  assert.throws(() => sampleViewParams(rng, 32, 32, { grayscaleProbability: -0.1 }), {
    name: "RangeError",
    message:
      "sampleViewParams(): options.grayscaleProbability is -0.1: expected a number in [0, 1]",
  });
  assert.throws(() => sampleViewParams(rng, 32, 32, { blurSigma: [2, 0.1] }), {
    name: "RangeError",
    message: "sampleViewParams(): options.blurSigma is [2, 0.1]: expected 0 < min <= max",
  });
  assert.throws(() => sampleViewParams(rng, 32, 32, { cropScale: [0, 1] }), {
    name: "RangeError",
    message: "sampleViewParams(): options.cropScale is [0, 1]: expected 0 < min <= max",
  });
});

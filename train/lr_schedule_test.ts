import assert from "node:assert/strict";
import { cosineAnnealingLR } from "./cosine_annealing_lr.ts";
import { linearWarmup } from "./linear_warmup.ts";
import { multiStepLR } from "./multi_step_lr.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/optim.json", import.meta.url)),
);

function assertRates(actual: number[], expected: number[]): void {
  actual.forEach((lr, epoch) => {
    assert.ok(
      Math.abs(lr - expected[epoch]) <= 1e-12 + 1e-9 * expected[epoch],
      `epoch ${epoch}: ${lr} vs PyTorch ${expected[epoch]}`,
    );
  });
}

Deno.test("`cosineAnnealingLR()` gives PyTorch's rates per epoch, also past tMax", () => {
  const schedule = cosineAnnealingLR({ baseLr: 5e-4, tMax: 10, etaMin: 5e-4 / 50 });
  assertRates(fixture.cosine.map((_: number, e: number) => schedule(e)), fixture.cosine);
});

Deno.test("`multiStepLR()` gives PyTorch's rates per epoch", () => {
  const schedule = multiStepLR({ baseLr: 5e-4, milestones: [6, 8], gamma: 0.1 });
  assertRates(fixture.multistep.map((_: number, e: number) => schedule(e)), fixture.multistep);
});

Deno.test("`linearWarmup()` rises linearly to the wrapped schedule", () => {
  const schedule = linearWarmup(() => 2, { warmupEpochs: 4, startFactor: 0.2 });
  assertRates([0, 1, 2, 3, 4, 9].map(schedule), [0.4, 0.8, 1.2, 1.6, 2, 2]);
});

Deno.test("`cosineAnnealingLR()`, `multiStepLR()` and `linearWarmup()` reject bad arguments by name", () => {
  assert.throws(() => cosineAnnealingLR({ baseLr: 1, tMax: 0 }), {
    name: "RangeError",
    message: "cosineAnnealingLR(): options.tMax is 0: expected a positive integer",
  });
  assert.throws(() => multiStepLR({ baseLr: 1, milestones: [1.5] }), {
    name: "RangeError",
    message: "multiStepLR(): options.milestones[0] is 1.5: expected an integer >= 0",
  });
  assert.throws(() => cosineAnnealingLR({ baseLr: 1, tMax: 3 })(-1), {
    name: "RangeError",
    message: "LRSchedule(): epoch is -1: expected an integer >= 0",
  });
  assert.throws(() => linearWarmup(() => 1, { warmupEpochs: 2, startFactor: 0 }), {
    name: "RangeError",
    message: "linearWarmup(): options.startFactor is 0: expected a number in (0, 1]",
  });
});

import assert from "node:assert/strict";
import { accuracy } from "./accuracy.ts";

Deno.test("`accuracy()` counts the matching predictions", () => {
  assert.equal(accuracy([0, 1, 2, 3], [0, 1, 2, 3]), 1);
  assert.equal(accuracy([1, 0], [0, 1]), 0);
  assert.equal(accuracy(Int32Array.from([3, 3, 1]), Int32Array.from([3, 2, 1])), 2 / 3);
});

Deno.test("`accuracy()` rejects mismatched or empty inputs", () => {
  assert.throws(() => accuracy([0, 1], [0]), {
    name: "RangeError",
    message: "accuracy(): predictions has length 2 but labels has length 1: expected equal lengths",
  });
  assert.throws(() => accuracy([], []), {
    name: "RangeError",
    message: "accuracy(): labels is empty: expected at least one sample",
  });
});

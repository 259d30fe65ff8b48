import assert from "node:assert/strict";
import { confusionMatrix } from "./confusion_matrix.ts";

Deno.test("`confusionMatrix()` puts true classes in rows and predictions in columns", () => {
  const m = confusionMatrix([2, 0, 1, 1, 2, 0], [2, 0, 1, 2, 2, 1], 3);
  assert.deepEqual(m, [
    [1, 0, 0],
    [1, 1, 0],
    [0, 1, 2],
  ]);
  const total = m.flat().reduce((a, b) => a + b, 0);
  assert.equal(total, 6);
});

Deno.test("`confusionMatrix()` rejects classes out of range", () => {
  assert.throws(() => confusionMatrix([0, 3], [0, 1], 3), {
    name: "RangeError",
    message: "confusionMatrix(): predictions[1] is 3: expected an integer class in [0, 3)",
  });
  assert.throws(() => confusionMatrix([0, 1], [-1, 1], 3), {
    name: "RangeError",
    message: "confusionMatrix(): labels[0] is -1: expected an integer class in [0, 3)",
  });
  assert.throws(() => confusionMatrix([0], [0], 0), {
    name: "RangeError",
    message: "confusionMatrix(): numClasses is 0: expected a positive integer",
  });
});

import assert from "node:assert/strict";
import { perClassAccuracy } from "./per_class_accuracy.ts";
import { accuracy } from "./accuracy.ts";

Deno.test("`perClassAccuracy()` is the diagonal over the row sums", () => {
  const predictions = [0, 0, 1, 2, 2, 2, 1];
  const labels = [0, 1, 1, 2, 2, 1, 1];
  assert.deepEqual(perClassAccuracy(predictions, labels, 4), [1, 2 / 4, 1, NaN]);
});

Deno.test("`perClassAccuracy()` averages to the accuracy on balanced classes", () => {
  const labels = [0, 0, 1, 1, 2, 2];
  const predictions = [0, 1, 1, 1, 0, 0];
  const perClass = perClassAccuracy(predictions, labels, 3);
  const mean = perClass.reduce((a, b) => a + b, 0) / 3;
  assert.equal(mean, accuracy(predictions, labels));
});

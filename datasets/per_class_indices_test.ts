import { deepStrictEqual, throws } from "node:assert/strict";
import { perClassIndices } from "./per_class_indices.ts";

Deno.test("`perClassIndices()` takes the first k of each class in file order", () => {
  const labels = [2, 0, 1, 0, 2, 1, 0, 2, 1, 1];
  deepStrictEqual(Array.from(perClassIndices(labels, 2)), [1, 3, 2, 5, 0, 4]);
  deepStrictEqual(Array.from(perClassIndices(labels, 3)), [1, 3, 6, 2, 5, 8, 0, 4, 7]);
  // the tutorial's get_smaller_dataset on label-sorted data: rows c*500 .. c*500 + k
  const sorted = Array.from({ length: 5000 }, (_, i) => Math.floor(i / 500));
  const tutorial = Array.from(
    { length: 10 },
    (_, c) => Array.from({ length: 10 }, (_, j) => c * 500 + j),
  ).flat();
  deepStrictEqual(Array.from(perClassIndices(sorted, 10)), tutorial);
});

Deno.test("`perClassIndices()` rejects a class with fewer than k images", () => {
  throws(() => perClassIndices([0, 1, 1, 0, 2], 2), {
    name: "RangeError",
    message: "perClassIndices(): k is 2 but class 2 has 1 images: expected k <= 1",
  });
  throws(() => perClassIndices([0, 1], 1, { numClasses: 3 }), {
    name: "RangeError",
    message: "perClassIndices(): k is 1 but class 2 has 0 images: expected k <= 0",
  });
  throws(() => perClassIndices([0, 5], 1, { numClasses: 3 }), {
    message: "perClassIndices(): labels[1] is 5: expected an integer in 0..2",
  });
  throws(() => perClassIndices([0], 0), {
    message: "perClassIndices(): k is 0: expected a positive integer",
  });
});

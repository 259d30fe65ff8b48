import { deepStrictEqual, rejects, strictEqual, throws } from "node:assert/strict";
import { perClassIndices, subset } from "./subset.ts";
import { openSTL10 } from "./open_stl10.ts";
import { patternHWC, writePatternSplit } from "./_testing.ts";

Deno.test("`perClassIndices()` takes the first k of each class in file order", () => {
  const labels = [2, 0, 1, 0, 2, 1, 0, 2, 1, 1];
  deepStrictEqual(Array.from(perClassIndices(labels, 2, 3)), [1, 3, 2, 5, 0, 4]);
  deepStrictEqual(Array.from(perClassIndices(labels, 3, 3)), [1, 3, 6, 2, 5, 8, 0, 4, 7]);
  // the tutorial's get_smaller_dataset on label-sorted data: rows c*500 .. c*500 + k
  const sorted = Array.from({ length: 5000 }, (_, i) => Math.floor(i / 500));
  const tutorial = Array.from(
    { length: 10 },
    (_, c) => Array.from({ length: 10 }, (_, j) => c * 500 + j),
  ).flat();
  deepStrictEqual(Array.from(perClassIndices(sorted, 10)), tutorial);
});

Deno.test("`perClassIndices()` rejects a class with fewer than k images", () => {
  throws(() => perClassIndices([0, 1, 1, 0, 2], 2, 3), /k = 2 .* class 2 has only 1/);
  throws(() => perClassIndices([0, 1], 1, 3), /class 2 has only 0/);
  throws(() => perClassIndices([0, 5], 1, 3), /labels\[1\] is 5/);
  throws(() => perClassIndices([0], 0, 1), /k must be a positive integer, got 0/);
});

Deno.test("`subset()` reads through to the source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePatternSplit(dir, "train", 6, [1, 2, 1, 2, 1, 2]);
    const train = await openSTL10(dir, "train");
    const sub = subset(train, perClassIndices(train.labels()!, 2, 2));
    strictEqual(sub.length, 4);
    deepStrictEqual(Array.from(sub.indices), [0, 2, 1, 3]);
    deepStrictEqual(Array.from(sub.labels()!), [0, 0, 1, 1]);
    const b = await sub.read([3, 0]);
    deepStrictEqual(b.pixels, patternHWC([3, 0]));
    deepStrictEqual(Array.from(b.labels!), [1, 0]);
    await rejects(sub.read([4]), /indices\[0\] is 4, expected an integer in 0\.\.3/);
    throws(() => subset(train, [0, 6]), /indices\[1\] is 6/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import { deepStrictEqual, rejects, strictEqual, throws } from "node:assert/strict";
import { perClassIndices } from "./per_class_indices.ts";
import { subset } from "./subset.ts";
import { openSTL10 } from "./open_stl10.ts";
import { patternHWC, writePatternSplit } from "./_test_utils.ts";

Deno.test("`subset()` reads through to the source", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePatternSplit(dir, "train", 6, [1, 2, 1, 2, 1, 2]);
    const train = await openSTL10(dir, "train");
    const sub = subset(train, perClassIndices(train.labels()!, 2));
    strictEqual(sub.length, 4);
    deepStrictEqual(Array.from(sub.indices), [0, 2, 1, 3]);
    deepStrictEqual(Array.from(sub.labels()!), [0, 0, 1, 1]);
    const b = await sub.read([3, 0]);
    deepStrictEqual(b.pixels, patternHWC([3, 0]));
    deepStrictEqual(Array.from(b.labels!), [1, 0]);
    await rejects(sub.read([4]), {
      name: "RangeError",
      message: "Subset.read(): indices[0] is 4: expected an integer in 0..3",
    });
    throws(() => subset(train, [0, 6]), {
      name: "RangeError",
      message: "subset(): indices[1] is 6: expected an integer in 0..5",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

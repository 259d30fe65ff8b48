import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { hwcToSTL10, STL10_IMAGE_BYTES, stl10ToHWC } from "./stl10_layout.ts";
import { openSTL10 } from "./open_stl10.ts";
import { patternFileBytes, patternHWC } from "./_test_utils.ts";

Deno.test("`stl10ToHWC()` maps column-major planes to HWC row-major", () => {
  const file = patternFileBytes(0, 3);
  deepStrictEqual(stl10ToHWC(file, 3), patternHWC([0, 1, 2]));
  // one explicit pixel: image 1, row 5, column 17, channel 2 is file byte c*9216 + x*96 + y
  const hwc = stl10ToHWC(file, 3);
  strictEqual(
    hwc[STL10_IMAGE_BYTES + (5 * 96 + 17) * 3 + 2],
    file[STL10_IMAGE_BYTES + 2 * 9216 + 17 * 96 + 5],
  );
});

Deno.test("`hwcToSTL10()` inverts `stl10ToHWC()` for other sizes too", () => {
  const hwc = Uint8Array.from({ length: 2 * 7 * 7 * 3 }, (_, i) => (i * 13) % 256);
  deepStrictEqual(stl10ToHWC(hwcToSTL10(hwc, 2, 7), 2, 7), hwc);
  deepStrictEqual(hwcToSTL10(patternHWC([4, 5]), 2), patternFileBytes(4, 2));
});

Deno.test("`stl10ToHWC()` rejects short input", () => {
  throws(() => stl10ToHWC(new Uint8Array(10), 1), {
    name: "RangeError",
    message: "stl10ToHWC(): src has 10 bytes: expected at least 27648 (count 1 of 96x96x3 images)",
  });
  throws(() => stl10ToHWC(new Uint8Array(27648), 1, 96, new Uint8Array(5)), {
    name: "RangeError",
    message: "stl10ToHWC(): dst has 5 bytes: expected at least 27648 (count 1 of 96x96x3 images)",
  });
});

Deno.test("`openSTL10()` decodes like torchvision's STL10 reader", async () => {
  const dir = new URL("./testdata/tv_stl10", import.meta.url).pathname;
  const expected = await Deno.readFile(
    new URL("./testdata/tv_stl10_expected_hwc.bin", import.meta.url),
  );
  const meta = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/tv_stl10_expected.json", import.meta.url)),
  );
  const train = await openSTL10(dir, "train");
  const { pixels, labels } = await train.read([0, 1]);
  strictEqual(pixels.length, expected.length);
  let maxDiff = 0;
  for (let i = 0; i < pixels.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(pixels[i] - expected[i]));
  }
  strictEqual(maxDiff, 0);
  deepStrictEqual(Array.from(labels!), meta.labels);
});

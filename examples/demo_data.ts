// `deno task demo-data -- --out DIR`: writes the demo data set (STL10 binary format, ten
// shape classes) into DIR.
import { generateDemoData } from "@simclr/datasets";
import { parseFlags, runMain } from "./_cli.ts";

await runMain(async () => {
  const flags = parseFlags(
    "demo-data",
    "Generates a small STL10-format data set whose ten classes differ in shape (circle, " +
      "square, triangle, cross, ring, star, stripes, checkerboard, dots), deterministically " +
      "from --seed. Read it with --data DIR.",
    [
      { name: "out", type: "string", help: "Destination folder", default: ".cache/demo-data" },
      { name: "seed", type: "integer", help: "Random seed", default: 0 },
      {
        name: "train-per-class",
        type: "integer",
        help: "Labelled training images per class",
        default: 50,
        min: 1,
      },
      {
        name: "test-per-class",
        type: "integer",
        help: "Test images per class",
        default: 50,
        min: 1,
      },
      { name: "unlabeled", type: "integer", help: "Unlabeled images", default: 2000, min: 0 },
      { name: "image-size", type: "integer", help: "Image side in pixels", default: 96, min: 8 },
      {
        name: "noise",
        type: "number",
        help: "Pixel noise standard deviation (0..1)",
        default: 0.06,
        min: 0,
      },
    ],
  );
  const out = (flags.out as string | undefined) ?? ".cache/demo-data";
  const t0 = performance.now();
  const info = await generateDemoData(out, {
    seed: flags.seed as number | undefined,
    trainPerClass: flags["train-per-class"] as number | undefined,
    testPerClass: flags["test-per-class"] as number | undefined,
    unlabeled: flags.unlabeled as number | undefined,
    imageSize: flags["image-size"] as number | undefined,
    noise: flags.noise as number | undefined,
  });
  const { train, test, unlabeled } = info.counts;
  console.log(
    `wrote ${train} train, ${test} test and ${unlabeled} unlabeled ${info.imageSize}x` +
      `${info.imageSize} images to ${out} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
});

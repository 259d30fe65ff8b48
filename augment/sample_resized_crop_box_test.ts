import assert from "node:assert/strict";
import { createRng } from "./rng.ts";
import { sampleResizedCropBox } from "./sample_resized_crop_box.ts";
import { assertNear, fixture, mean, quantile, std } from "./_test_utils.ts";

interface CropStats {
  height: number;
  width: number;
  scale: [number, number];
  ratio: [number, number];
  draws: number;
  mean: Record<string, number>;
  std: Record<string, number>;
  areaQuartiles: number[];
  logAspectMean: number;
  fullImageRate: number;
}

const stats = fixture("cropStats") as unknown as CropStats[];

for (const s of stats) {
  Deno.test(
    `\`sampleResizedCropBox()\` matches the distribution of torchvision's get_params on ${s.height}x${s.width}, scale [${s.scale}]`,
    () => {
      const rng = createRng(11);
      const boxes = Array.from(
        { length: s.draws },
        () => sampleResizedCropBox(rng, s.height, s.width, s.scale, s.ratio),
      );
      const columns: Record<string, number[]> = {
        top: boxes.map((b) => b[0]),
        left: boxes.map((b) => b[1]),
        height: boxes.map((b) => b[2]),
        width: boxes.map((b) => b[3]),
        area: boxes.map((b) => (b[2] * b[3]) / (s.height * s.width)),
      };
      for (const [key, values] of Object.entries(columns)) {
        // 6 standard errors of a difference of two means of `draws` samples
        const tolerance = 6 * Math.SQRT2 * s.std[key] / Math.sqrt(s.draws) + 1e-9;
        assertNear(mean(values), s.mean[key], tolerance, `mean ${key}`);
        assertNear(std(values), s.std[key], 0.05 * s.std[key] + 1e-9, `std ${key}`);
      }
      s.areaQuartiles.forEach((q, i) =>
        assertNear(quantile(columns.area, [0.25, 0.5, 0.75][i]), q, 0.02, `area quartile ${i + 1}`)
      );
      assertNear(
        mean(boxes.map((b) => Math.log(b[3] / b[2]))),
        s.logAspectMean,
        0.01,
        "log aspect",
      );
      const full = mean(boxes.map((b) => (b[2] === s.height && b[3] === s.width ? 1 : 0)));
      assertNear(full, s.fullImageRate, 0.004, "whole-image rate");
      for (const [top, left, h, w] of boxes) {
        assert(
          top >= 0 && left >= 0 && h > 0 && w > 0 && top + h <= s.height && left + w <= s.width,
        );
      }
    },
  );
}

Deno.test("`sampleResizedCropBox()` falls back to the centre crop with the ratio clamped", () => {
  // A 10x100 image cannot hold any crop of ratio <= 4/3 and area >= 50%: fallback.
  const box = sampleResizedCropBox(createRng(0), 10, 100, [0.5, 1], [3 / 4, 4 / 3]);
  assert.deepEqual(box, [0, 43, 10, 13]); // w = round(10 * 4/3) = 13, left = (100 - 13) // 2
  const tall = sampleResizedCropBox(createRng(0), 100, 10, [0.5, 1], [3 / 4, 4 / 3]);
  assert.deepEqual(tall, [43, 0, 13, 10]); // h = round(10 / (3/4)) = 13
});

Deno.test("`sampleResizedCropBox()` rejects reversed ranges and bad sizes", () => {
  const rng = createRng(0);
  assert.throws(() => sampleResizedCropBox(rng, 8, 8, [1, 0.5]), {
    name: "RangeError",
    message: "sampleResizedCropBox(): scale is [1, 0.5]: expected 0 < min <= max",
  });
  assert.throws(() => sampleResizedCropBox(rng, 8, 8, [0.1, 1], [2, 1]), {
    name: "RangeError",
    message: "sampleResizedCropBox(): ratio is [2, 1]: expected 0 < min <= max",
  });
  assert.throws(() => sampleResizedCropBox(rng, 0, 8), {
    name: "RangeError",
    message: "sampleResizedCropBox(): height is 0: expected a positive integer",
  });
});

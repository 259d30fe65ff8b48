import assert from "node:assert/strict";
import { blurSigmaRange, PRESETS } from "./presets.ts";

Deno.test("`blurSigmaRange()` is the tutorial's (0.1, 2) at 96 px, scaled as a whole", () => {
  assert.deepEqual(blurSigmaRange(PRESETS.tutorial.maxBlurSigma), [0.1, 2]);
  // The demo's 32 px views: a third of the image, a third of the blur.
  const [low, high] = blurSigmaRange(PRESETS.demo.maxBlurSigma);
  assert.ok(Math.abs(low - 0.1 / 3) < 1e-12 && Math.abs(high - 2 / 3) < 1e-12, `${low}, ${high}`);
  const ratio = PRESETS.demo.imageSize / PRESETS.tutorial.imageSize;
  assert.ok(Math.abs(PRESETS.demo.maxBlurSigma - ratio * PRESETS.tutorial.maxBlurSigma) < 1e-12);
});

import assert from "node:assert/strict";
import { DEMO_CLASS_NAMES, STL10_CLASS_NAMES } from "@simclr/datasets";
import {
  blurSigmaRange,
  dataSetName,
  presetLine,
  PRESETS,
  runSettings,
  startBackend,
  WORKERS_BELOW_WIDTH,
} from "./_run.ts";
import { UsageError } from "./_cli.ts";

Deno.test("`dataSetName()` says STL10 for STL10's classes, else the demo data or the folder", () => {
  assert.equal(dataSetName("data/stl10_binary", STL10_CLASS_NAMES), "STL10");
  assert.equal(dataSetName("/any/where", STL10_CLASS_NAMES), "STL10");
  assert.equal(dataSetName(null, DEMO_CLASS_NAMES), "demo data");
  assert.equal(dataSetName(".cache/demo-data-v3", DEMO_CLASS_NAMES), "demo data");
  const digits = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
  assert.equal(dataSetName(".cache/digits-stl10/", digits), "digits-stl10");
  assert.equal(dataSetName("data/flowers/stl10_binary", digits), "flowers");
  assert.equal(dataSetName("./stl10_binary", digits), "stl10_binary");
});

Deno.test("`presetLine()` names the preset, whether it was asked for, and its key values", () => {
  const given = runSettings({ preset: "tutorial", data: "data/stl10_binary" }, "pretrain").settings;
  assert.equal(
    presetLine("pretrain", given, { epochs: 500, lr: 5e-4 }),
    "pretrain: tutorial preset on data/stl10_binary: epochs 500, lr 0.0005",
  );
  const demo = runSettings({}, "pretrain").settings;
  assert.equal(
    presetLine("pretrain", demo, { epochs: PRESETS.demo.epochs }),
    "pretrain: demo preset (the default) on the demo data: epochs 10",
  );
  // The demo preset on the user's data by default: said, with what to pass instead.
  const mine = runSettings({ data: "digits" }, "pretrain").settings;
  assert.match(
    presetLine("pretrain", mine, { epochs: 5 }),
    /^pretrain: demo preset \(the default\) on digits: epochs 5; the demo preset is tuned for the demo data: for other data pass --preset \(tutorial on STL10\)/,
  );
});

Deno.test("`blurSigmaRange()` is the tutorial's (0.1, 2) at 96 px, scaled as a whole", () => {
  assert.deepEqual(blurSigmaRange(PRESETS.tutorial.maxBlurSigma), [0.1, 2]);
  // The demo's 32 px views: a third of the image, a third of the blur.
  const [low, high] = blurSigmaRange(PRESETS.demo.maxBlurSigma);
  assert.ok(Math.abs(low - 0.1 / 3) < 1e-12 && Math.abs(high - 2 / 3) < 1e-12, `${low}, ${high}`);
  const ratio = PRESETS.demo.imageSize / PRESETS.tutorial.imageSize;
  assert.ok(Math.abs(PRESETS.demo.maxBlurSigma - ratio * PRESETS.tutorial.maxBlurSigma) < 1e-12);
});

Deno.test("`runSettings()` takes --extend only with --resume", () => {
  assert.equal(runSettings({ resume: true, extend: true }, "pretrain").settings.extend, true);
  assert.throws(() => runSettings({ extend: true }, "pretrain"), {
    name: UsageError.name,
    message: "--extend changes the length of a resumed run: expected --resume too",
  });
});

Deno.test("`startBackend()` gives narrow networks a worker per core, wide ones one worker", async () => {
  const cores = navigator.hardwareConcurrency;
  const narrow = runSettings({ backend: "cpu", width: WORKERS_BELOW_WIDTH / 2 }, "pretrain");
  assert.equal((await startBackend(narrow.settings, 64)).workers, Math.min(cores, 64));
  assert.equal((await startBackend(narrow.settings, 1)).workers, 1); // an image per worker
  const wide = runSettings({ backend: "cpu", width: WORKERS_BELOW_WIDTH }, "pretrain");
  assert.equal((await startBackend(wide.settings, 64)).workers, 1);
  const chunked = runSettings({ backend: "cpu", width: 8, accumulate: 2 }, "pretrain");
  assert.equal((await startBackend(chunked.settings, 64)).workers, 1);
});

import assert from "node:assert/strict";
import { PRESETS } from "./presets.ts";
import { presetLine, runSettings } from "./run_settings.ts";
import { UsageError } from "./usage_error.ts";

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

Deno.test("`runSettings()` takes --extend only with --resume", () => {
  assert.equal(runSettings({ resume: true, extend: true }, "pretrain").settings.extend, true);
  assert.throws(() => runSettings({ extend: true }, "pretrain"), {
    name: UsageError.name,
    message: "--extend changes the length of a resumed run: expected --resume too",
  });
});

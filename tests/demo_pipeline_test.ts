// The default pipeline on the demo data, end to end: pretraining with the demo preset's
// defaults, the linear probe of its encoder and of an untrained one, a (short) baseline and the
// report. The pretrained encoder must beat the random one: that is what the demo is for.
// This is the suite's longest test (about 5 minutes on two cores).
import assert from "node:assert/strict";
import { PRESETS } from "@simclr/pipeline";
import { tutorial } from "@simclr/pipeline";
import { tutorialConfig } from "../examples/tutorial.ts";
import { meanProbeAccuracy } from "./_mean_probe_accuracy.ts";

Deno.test("the demo pipeline runs end to end and pretraining beats a random encoder", async () => {
  const out = await Deno.makeTempDir({ prefix: "simclr-demo-" });
  // Two workers of one thread, as `auto` picks on two cores, pinned so that every machine runs
  // the same arithmetic (wasm is deterministic; the worker count decides the float rounding).
  const flags = ["--out", out, "--baseline-epochs", "1", "--workers", "2", "--threads", "1"];
  const report = await tutorial(tutorialConfig(flags));
  assert.equal(report, `${out}/report.html`);
  const read = async (path: string) => JSON.parse(await Deno.readTextFile(`${out}/${path}`));
  const pretrained = (await read("probe/probe.json")).results;
  const random = (await read("probe-random-init/probe.json")).results;
  const sizes = Object.keys(pretrained);
  assert.deepEqual(sizes, ["10", "20", "50"]); // what 50 labelled images per class allow
  const [gain, base] = [meanProbeAccuracy(pretrained), meanProbeAccuracy(random)];
  console.log(`probe test accuracy, mean over ${sizes}: pretrained ${gain}, random init ${base}`);
  // Chance is 10%; measured here: 56.5% against 11.1%. Seeded and pinned, so the same on every
  // run. 30 points: with the tutorial's blur in pixels on these 32 px views (sigma up to 2, not
  // the preset's 2/3), the same run reached 26.5%, and this fails.
  assert.ok(gain > base + 0.3, `pretrained ${gain} should beat random init ${base} by 30 points`);
  // The training-free measure agrees (measured: 60.4% against 13.4%; 29.0% with that blur).
  const [knn, knnRandom] = [
    (await read("probe/probe.json")).knn.test,
    (await read("probe-random-init/probe.json")).knn.test,
  ];
  assert.ok(knn > knnRandom + 0.3, `kNN: pretrained ${knn}, random init ${knnRandom}`);
  const epochs = (await Deno.readTextFile(`${out}/pretrain/metrics.jsonl`)).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((r) => r.kind === "epoch");
  assert.equal(epochs.length, PRESETS.demo.epochs);
  assert.ok(epochs.at(-1).train_loss < epochs[0].train_loss, "the contrastive loss went down");
  const html = await Deno.readTextFile(report);
  assert.match(html, /random init/);
  await Deno.remove(out, { recursive: true });
});

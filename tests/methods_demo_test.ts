// SupCon on the demo data, shortened: it must lift the linear probe far above a random-init
// encoder (SimCLR's demo run is tests/demo_pipeline_test.ts). Barlow Twins and BYOL have no such
// test yet: at the demo budget they beat random init by about 6 and 3 points (probe), as the
// PyTorch reference does on the same views (tools/tutorial_simclr.py --method barlow|byol),
// and a run of theirs takes over 5 minutes here.
import assert from "node:assert/strict";
import { pretrain, pretrainConfig } from "../examples/pretrain.ts";
import { probe, probeConfig } from "../examples/probe.ts";

Deno.test("`pretrain()` with --method supcon on the demo data beats a random encoder", async () => {
  const out = await Deno.makeTempDir({ prefix: "simclr-supcon-demo-" });
  // 15 of the demo preset's 50 epochs (105 steps), validated once; two workers of one thread,
  // pinned as in the demo pipeline test so that every machine runs the same arithmetic.
  const trained = await pretrain(pretrainConfig([
    ...["--method", "supcon", "--epochs", "15", "--val-every", "15", "--out", `${out}/pretrain`],
    ...["--workers", "2", "--threads", "1"],
  ]));
  const probing = { ...probeConfig([]), cache: `${out}/features`, backend: "wasm" as const };
  const pretrained = await probe({
    ...probing,
    weights: trained.checkpoints.last,
    out: `${out}/probe`,
  });
  const random = await probe({
    ...probing,
    randomInit: true,
    width: pretrained.config.width,
    stem: pretrained.config.stem,
    imageSize: pretrained.config.imageSize,
    out: `${out}/probe-random-init`,
  });
  const mean = (results: Record<string, { test: number }>) =>
    Object.values(results).reduce((sum, r) => sum + r.test, 0) / Object.keys(results).length;
  const [gain, base] = [mean(pretrained.results), mean(random.results)];
  console.log(`supcon: probe ${gain}, kNN ${pretrained.knn}; random init ${base}, ${random.knn}`);
  // Chance is 10%; measured: probe 36.1% against 11.1%, kNN 36.0% against 13.4% (the loss is
  // leaving SupCon's collapsed start; the demo preset's 50 epochs reach 76.9% and 81.2%).
  // Seeded and pinned, so the same on every run.
  assert.ok(gain > base + 0.1, `pretrained ${gain} should beat random init ${base} by 10 points`);
  assert.ok(pretrained.knn > random.knn + 0.1, `kNN: ${pretrained.knn} against ${random.knn}`);
  await Deno.remove(out, { recursive: true });
});

// SupCon and Barlow Twins on the demo data: each must lift the linear probe above a random-init
// encoder (SimCLR's demo run is tests/demo_pipeline_test.ts). BYOL needs five times the demo
// budget to do so (here and in the PyTorch reference on the same views; the README's "Beyond
// SimCLR" has the numbers), about half an hour on two cores: its test runs only when
// SIMCLR_LONG_TESTS=1 is set (`SIMCLR_LONG_TESTS=1 deno task test tests/methods_demo_test.ts`).
import assert from "node:assert/strict";
import { pretrain } from "@simclr/pipeline";
import { pretrainConfig } from "../examples/pretrain.ts";
import { probe } from "@simclr/pipeline";
import { probeConfig } from "../examples/probe.ts";
import { meanProbeAccuracy } from "./_mean_probe_accuracy.ts";

/**
 * Pretrains with the demo preset and `flags` (two workers of one thread, pinned as in the demo
 * pipeline test so that every machine runs the same arithmetic), then probes the last
 * checkpoint and a random-init encoder of the same shape.
 */
async function pretrainAndProbe(flags: string[]) {
  const out = await Deno.makeTempDir({ prefix: "simclr-methods-demo-" });
  const trained = await pretrain(pretrainConfig([
    ...flags,
    ...["--out", `${out}/pretrain`, "--workers", "2", "--threads", "1"],
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
  await Deno.remove(out, { recursive: true });
  const result = {
    probe: meanProbeAccuracy(pretrained.results),
    knn: pretrained.knn,
    randomProbe: meanProbeAccuracy(random.results),
    randomKnn: random.knn,
  };
  console.log(flags.join(" "), result);
  return result;
}

Deno.test("`pretrain()` with --method supcon on the demo data beats a random encoder", async () => {
  // 15 of the demo preset's 50 epochs (105 steps), validated once.
  const { probe, knn, randomProbe, randomKnn } = await pretrainAndProbe(
    ["--method", "supcon", "--epochs", "15", "--val-every", "15"],
  );
  // Chance is 10%; measured: probe 36.1% against 11.1%, kNN 36.0% against 13.4% (the loss is
  // leaving SupCon's collapsed start; the demo preset's 50 epochs reach 76.9% and 81.2%).
  // Seeded and pinned, so the same on every run.
  assert.ok(probe > randomProbe + 0.1, `probe ${probe} should beat random init ${randomProbe}`);
  assert.ok(knn > randomKnn + 0.1, `kNN: ${knn} against ${randomKnn}`);
});

Deno.test("`pretrain()` with --method barlow on the demo data beats a random encoder", async () => {
  // The demo preset's 10 epochs (390 steps), validated once: shorter runs are not reliably
  // better than random init (4 epochs: 15.1%, 6 epochs: 13.1%).
  const { probe, knn, randomProbe, randomKnn } = await pretrainAndProbe(
    ["--method", "barlow", "--val-every", "10"],
  );
  // Measured: probe 21.6% against 11.1%, kNN 19.8% against 13.4%; seeded and pinned, so the
  // same on every run. At this budget the gain depends on the seed (seeds 1 and 2: 32.9% and
  // 13.9% against 13.2% and 12.7%). With the paper's lambda (0.0051) on this narrow projector,
  // 16.8%: this fails.
  assert.ok(probe > randomProbe + 0.08, `probe ${probe} should beat random init ${randomProbe}`);
  assert.ok(knn > randomKnn + 0.04, `kNN: ${knn} against ${randomKnn}`);
});

Deno.test({
  name: "`pretrain()` with --method byol for 50 epochs on the demo data beats a random encoder",
  ignore: !Deno.env.get("SIMCLR_LONG_TESTS"),
  fn: async () => {
    // Five times the demo preset's 10 epochs (1950 steps), validated every 10. At 10 epochs BYOL
    // does not beat random init reliably (seeds 42, 1 and 2: 14.5%, 13.3% and 16.0% against
    // 11.1%, 13.2% and 12.7%; the PyTorch reference on the same views, seed 42: 15.7% at 10 and
    // at 20 epochs): the target network still holds about half of its random initialisation.
    const { probe, knn, randomProbe, randomKnn } = await pretrainAndProbe(
      ["--method", "byol", "--epochs", "50", "--val-every", "10"],
    );
    // Measured: probe 24.8% against 11.1%, kNN 24.4% against 13.4% (PyTorch: 22.6% against
    // 11.9%); seeded and pinned, so the same on every run. The demo's 10 epochs reach 14.5% and
    // 11.8%: this fails.
    assert.ok(probe > randomProbe + 0.1, `probe ${probe} should beat random init ${randomProbe}`);
    assert.ok(knn > randomKnn + 0.08, `kNN: ${knn} against ${randomKnn}`);
  },
});

// The demo's learning tests: on the demo data, each method's pretraining must lift the linear
// probe (and kNN) above an untrained encoder by a margin. The default pipeline runs end to end
// first (pretraining, the probe of its encoder and of an untrained one, a short baseline, the
// report); the other methods compare with its untrained encoder's probe, which is the same for
// every method (the same ResNet-18 at width 8, stem and seed), so it runs once. BYOL needs five
// times the demo budget (here and in the PyTorch reference on the same views; the README's
// "Beyond SimCLR" has the numbers), about half an hour on two cores: its test runs only when
// SIMCLR_LONG_TESTS=1 is set (`SIMCLR_LONG_TESTS=1 deno task test tests/demo_learning_test.ts`).
// Every run is seeded and pinned (PINNED, below), so that every machine runs the same
// arithmetic (the backends are deterministic; the backend and the worker count decide the float
// rounding): the measured values below are what every run gets.
import assert from "node:assert/strict";
import { nativeAvailable } from "@simclr/backends";
import { PRESETS, pretrain, probe, type ProbeRun, tutorial } from "@simclr/pipeline";
import { pretrainConfig } from "../examples/pretrain.ts";
import { tutorialConfig } from "../examples/tutorial.ts";
import { meanProbeAccuracy } from "./_mean_probe_accuracy.ts";

/**
 * What every run here is pinned to: the native backend on one worker of two threads where
 * oneDNN opens (what `auto` picks on two cores; CI installs it), else wasm on two workers of
 * one thread. The measured values below are the native backend's, wasm's in brackets.
 */
const PINNED = nativeAvailable()
  ? ["--backend", "native", "--workers", "1", "--threads", "2"]
  : ["--backend", "wasm", "--workers", "2", "--threads", "1"];
/** SimCLR's budget here: half the demo preset's epochs. */
const SIMCLR_EPOCHS = PRESETS.demo.epochs / 2;

/** The untrained encoder's probe (the demo pipeline's, or its own run under --filter). */
let untrained: Promise<{ probe: number; knn: number }> | null = null;

function summary(run: ProbeRun): { probe: number; knn: number } {
  return { probe: meanProbeAccuracy(run.results), knn: run.knn };
}

function randomInit(): Promise<{ probe: number; knn: number }> {
  untrained ??= (async () => {
    const out = await Deno.makeTempDir({ prefix: "simclr-random-init-" });
    const { width, stem, imageSize } = PRESETS.demo;
    const run = await probe({
      randomInit: true,
      width,
      stem,
      imageSize,
      out,
      cache: `${out}/features`,
      backend: "wasm",
    });
    await Deno.remove(out, { recursive: true });
    return summary(run);
  })();
  return untrained;
}

Deno.test("the demo pipeline runs end to end and pretraining beats a random encoder", async () => {
  const started = performance.now();
  const out = await Deno.makeTempDir({ prefix: "simclr-demo-" });
  const flags = ["--out", out, "--baseline-epochs", "1", ...PINNED];
  flags.push("--epochs", String(SIMCLR_EPOCHS));
  const report = await tutorial(tutorialConfig(flags));
  assert.equal(report, `${out}/report.html`);
  const read = async (path: string) => JSON.parse(await Deno.readTextFile(`${out}/${path}`));
  const pretrained = await read("probe/probe.json");
  const random = await read("probe-random-init/probe.json");
  untrained = Promise.resolve({ probe: meanProbeAccuracy(random.results), knn: random.knn.test });
  const sizes = Object.keys(pretrained.results);
  assert.deepEqual(sizes, ["10", "20", "50"]); // what 50 labelled images per class allow
  const [gain, base] = [meanProbeAccuracy(pretrained.results), meanProbeAccuracy(random.results)];
  console.log(`probe test accuracy, mean over ${sizes}: pretrained ${gain}, random init ${base}`);
  // Chance is 10%. Measured at the 5 epochs here: probe 37.9% against 11.1% (wasm: 30.9%), kNN
  // 39.4% against 13.4% (wasm: 31.4%). On wasm at the preset's 10 epochs: 56.5% and 60.4%; with
  // the tutorial's blur in pixels on these 32 px views (sigma up to 2, not the preset's 2/3), 10
  // epochs reached only 26.5%.
  // 15 points: far above an untrained encoder, below what this budget measured.
  assert.ok(gain > base + 0.15, `pretrained ${gain} should beat random init ${base} by 15 points`);
  // The training-free measure agrees.
  const [knn, knnRandom] = [pretrained.knn.test, random.knn.test];
  assert.ok(knn > knnRandom + 0.15, `kNN: pretrained ${knn}, random init ${knnRandom}`);
  const epochs = (await Deno.readTextFile(`${out}/pretrain/metrics.jsonl`)).trim().split("\n")
    .map((line) => JSON.parse(line)).filter((r) => r.kind === "epoch");
  assert.equal(epochs.length, SIMCLR_EPOCHS);
  assert.ok(epochs.at(-1).train_loss < epochs[0].train_loss, "the contrastive loss went down");
  assert.match(await Deno.readTextFile(report), /random init/);
  await Deno.remove(out, { recursive: true });
  console.log(`demo pipeline: ${((performance.now() - started) / 1000).toFixed(0)} s`);
});

/** Pretrains with the demo preset and `flags`, then probes the last checkpoint. */
async function pretrainAndProbe(flags: string[]) {
  const started = performance.now();
  const out = await Deno.makeTempDir({ prefix: "simclr-methods-demo-" });
  const trained = await pretrain(
    pretrainConfig([...flags, "--out", `${out}/pretrain`, ...PINNED]),
  );
  const pretrained = await probe({
    weights: trained.checkpoints.last,
    out: `${out}/probe`,
    cache: `${out}/features`,
    backend: "wasm",
  });
  await Deno.remove(out, { recursive: true });
  const random = await randomInit();
  const result = {
    ...summary(pretrained),
    randomProbe: random.probe,
    randomKnn: random.knn,
  };
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(flags.join(" "), result, `${seconds} s`);
  return result;
}

Deno.test("`pretrain()` with --method supcon on the demo data beats a random encoder", async () => {
  // 10 of the demo preset's 50 epochs (70 steps), validated once.
  const { probe, knn, randomProbe, randomKnn } = await pretrainAndProbe(
    ["--method", "supcon", "--epochs", "10", "--val-every", "10"],
  );
  // Chance is 10%; measured at the 10 epochs here: probe 28.1% against 11.1% (wasm: 26.9%), kNN
  // 27.0% against 13.4% (wasm: 26.6%) (the loss is leaving SupCon's collapsed start; 15 epochs reach 36.1% and
  // 36.0%, the preset's 50 epochs 76.9% and 81.2%).
  assert.ok(probe > randomProbe + 0.1, `probe ${probe} should beat random init ${randomProbe}`);
  assert.ok(knn > randomKnn + 0.1, `kNN: ${knn} against ${randomKnn}`);
});

Deno.test("`pretrain()` with --method barlow on the demo data beats a random encoder", async () => {
  // The demo preset's 10 epochs (390 steps), validated once: shorter runs are not reliably
  // better than random init (4 epochs: 15.1%, 6 epochs: 13.1%).
  const { probe, knn, randomProbe, randomKnn } = await pretrainAndProbe(
    ["--method", "barlow", "--val-every", "10"],
  );
  // Measured: probe 23.2% against 11.1% (wasm: 21.6%), kNN 24.8% against 13.4% (wasm: 19.8%;
  // on wasm's 2 workers with the native backend's kernels, 17.0% and 18.0%). At this budget the gain
  // depends on the seed (seeds 1 and 2: 32.9% and 13.9% against 13.2% and 12.7%). With the
  // paper's lambda (0.0051) on this narrow projector, 16.8%: this fails.
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
    // 11.9%). The demo's 10 epochs reach 14.5% and 11.8%: this fails.
    assert.ok(probe > randomProbe + 0.1, `probe ${probe} should beat random init ${randomProbe}`);
    assert.ok(knn > randomKnn + 0.08, `kNN: ${knn} against ${randomKnn}`);
  },
});

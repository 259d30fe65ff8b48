// Shared by the demo's learning tests (demo_pipeline_test.ts, demo_methods_test.ts): what their
// runs are pinned to, and how an encoder is compared with an untrained one.
import { nativeAvailable } from "@simclr/backends";
import type { ProbeResults } from "@simclr/eval";
import { PRESETS, pretrain, probe, type ProbeRun } from "@simclr/pipeline";
import { pretrainConfig } from "../examples/pretrain.ts";

/**
 * What every run here is pinned to: the native backend on one worker of one thread where
 * oneDNN opens (CI installs it), else wasm on two workers of one thread. One thread, because
 * `deno task test` runs two test files at once on two cores, and these two files beside each
 * other (OpenMP threads that wait by spinning lose to the other file's). Every run is seeded,
 * and the backends are deterministic (the backend and the worker and thread counts decide the
 * float rounding), so every machine runs the same arithmetic: the values the tests quote as
 * measured are what every run gets (the native backend's).
 */
export const PINNED: readonly string[] = nativeAvailable()
  ? ["--backend", "native", "--workers", "1", "--threads", "1"]
  : ["--backend", "wasm", "--workers", "2", "--threads", "1"];

/** Mean probe test accuracy over the label budgets (the demo data: 10, 20 and 50 per class). */
export function meanProbeAccuracy(results: ProbeResults): number {
  const accuracies = Object.values(results).map((r) => r.test);
  return accuracies.reduce((sum, a) => sum + a, 0) / accuracies.length;
}

/** The probe's two numbers: mean test accuracy and kNN top-1. */
export interface ProbeSummary {
  probe: number;
  knn: number;
}

function summary(run: ProbeRun): ProbeSummary {
  return { probe: meanProbeAccuracy(run.results), knn: run.knn };
}

let untrained: Promise<ProbeSummary> | null = null;

/**
 * The untrained encoder's probe: the same for every method (the demo preset's ResNet-18 at
 * width 8, stem and seed), so it runs once per test file.
 */
export function randomInit(): Promise<ProbeSummary> {
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

/**
 * Pretrains with the demo preset and `flags` (pinned), probes the last checkpoint, and
 * returns its summary beside the untrained encoder's.
 */
export async function pretrainAndProbe(
  flags: string[],
): Promise<ProbeSummary & { randomProbe: number; randomKnn: number }> {
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
  const result = { ...summary(pretrained), randomProbe: random.probe, randomKnn: random.knn };
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(flags.join(" "), result, `${seconds} s`);
  return result;
}

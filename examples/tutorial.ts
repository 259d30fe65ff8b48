// Copyright 2026 the simclr authors. MIT license.
// `deno task tutorial`: the whole tutorial in one run folder: SimCLR pretraining, the linear
// probe (and, for comparison, a probe of an untrained encoder), the supervised baseline, the
// augmentation grid and report.html. Every stage resumes: finished stages are skipped, and an
// interrupted training continues from its last checkpoint.
import { writeReport } from "@simclr/eval";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { augmentGrid } from "./augment_grid.ts";
import { baseline, type BaselineResult, baselineSettings } from "./baseline.ts";
import { type Flag, type Flags, parseFlags, runMain } from "./_cli.ts";
import { pretrain, pretrainSettings } from "./pretrain.ts";
import { parseSizes, probe, probeConfig } from "./probe.ts";
import { ensureDemoData, readMetrics, SHARED_FLAGS } from "./_run.ts";

const FLAGS: Flag[] = [
  ...SHARED_FLAGS,
  { name: "sizes", type: "string", help: "Probe sizes, images per class (default: all that fit)" },
  { name: "baseline-epochs", type: "integer", min: 1, help: "Epochs of the supervised baseline" },
  {
    name: "probe-epochs",
    type: "integer",
    min: 1,
    help: "Epochs of each logistic regression",
    default: 100,
  },
];

/**
 * Reads the command line into the tutorial's settings: its own flags, the shared ones that
 * every stage takes.
 *
 * @param args The flags (see `--help`).
 * @returns The parsed flags.
 */
export function tutorialConfig(args: string[]): Flags {
  return parseFlags(
    "tutorial",
    "The whole tutorial: SimCLR pretraining, linear probe (and one of an untrained encoder), " +
      "supervised baseline, augmentation grid and report.html, in one resumable run folder.",
    FLAGS,
    args,
  );
}

/**
 * Runs every stage with the settings of `flags` (from {@linkcode tutorialConfig}); returns the
 * path of report.html.
 *
 * @param flags The tutorial's flags.
 * @returns The report's path.
 */
export async function tutorial(flags: Flags): Promise<string> {
  const preset = flags.preset as string;
  const out = (flags.out as string | undefined) ?? `runs/tutorial-${preset}`;
  const data = (flags.data as string | undefined) ?? await ensureDemoData();

  console.error(`== 1/4 pretraining (${out}/pretrain)`);
  const pretraining = pretrainSettings({ ...flags, out: `${out}/pretrain`, resume: true });
  const trained = await pretrain(pretraining);

  console.error(`== 2/4 linear probe of the pretrained encoder (${out}/probe)`);
  const probing = {
    ...probeConfig([]), // the probe's defaults
    sizes: parseSizes(flags.sizes as string | undefined),
    data,
    epochs: flags["probe-epochs"] as number,
    seed: pretraining.seed,
    backend: pretraining.backend,
  };
  const pretrained = await probe({
    ...probing,
    weights: trained.checkpoints.best ?? trained.checkpoints.last,
    out: `${out}/probe`,
  });
  const random = await probe({
    ...probing,
    randomInit: true,
    width: pretraining.width,
    stem: pretraining.stem,
    imageSize: pretraining.imageSize,
    out: `${out}/probe-random-init`,
  });

  console.error(`== 3/4 supervised baseline (${out}/baseline)`);
  const baselineJson = `${out}/baseline/baseline.json`;
  const done = await nullIfMissing(Deno.readTextFile(baselineJson));
  let baselineResult: BaselineResult;
  if (done !== null) {
    baselineResult = JSON.parse(done);
    console.error(`already done: ${baselineJson}`);
  } else {
    baselineResult = await baseline(baselineSettings({
      ...flags,
      out: `${out}/baseline`,
      resume: true,
      epochs: flags["baseline-epochs"],
    }));
  }

  console.error(`== 4/4 augmentation grid and report (${out}/report.html)`);
  const grid = await augmentGrid({
    out: `${out}/augment_grid.png`,
    data,
    split: "unlabeled",
    seed: pretraining.seed,
    count: 6,
    columns: 6,
  });
  return await writeReport(out, {
    title: `SimCLR tutorial (${preset} preset)`,
    config: JSON.parse(await Deno.readTextFile(`${out}/pretrain/config.json`)),
    probe: pretrained.results,
    probeOthers: { "random init": random.results },
    knn: { pretrained: pretrained.knn, "random init": random.knn },
    baseline: { train: baselineResult.train, test: baselineResult.test },
    pretrainMetrics: await readMetrics(`${out}/pretrain/metrics.jsonl`),
    baselineMetrics: await readMetrics(`${out}/baseline/metrics.jsonl`),
    embeddingMap: pretrained.pictures.embeddingMap,
    neighbours: pretrained.pictures.neighbours,
    augmentGrid: grid,
  });
}

if (import.meta.main) {
  await runMain(async () => {
    const report = await tutorial(tutorialConfig(Deno.args));
    console.log(`report: ${report}`);
  });
}

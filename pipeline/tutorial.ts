// Copyright 2026 the simclr authors. MIT license.
import { writeReport } from "@simclr/eval";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { augmentGrid } from "./augment_grid.ts";
import { baseline, type BaselineResult } from "./baseline.ts";
import { type CommandSpec, withFlagDefaults } from "./flag.ts";
import { openData } from "./open_data.ts";
import { pretrain, type PretrainOptions } from "./pretrain.ts";
import { probe } from "./probe.ts";
import { readMetrics } from "./run_folder.ts";
import { runSettings, SHARED_FLAGS } from "./run_settings.ts";

/** `deno task tutorial`: its description and flags, each a field of {@linkcode TutorialOptions}. */
export const TUTORIAL_COMMAND: CommandSpec = {
  name: "tutorial",
  description: "The whole tutorial: SimCLR pretraining, linear probe (and one of an untrained " +
    "encoder), supervised baseline, augmentation grid and report.html, in one resumable run " +
    "folder.",
  flags: [
    ...SHARED_FLAGS,
    {
      name: "sizes",
      type: "string",
      help: "Probe sizes, images per class (default: all that fit)",
    },
    { name: "baseline-epochs", type: "integer", min: 1, help: "Epochs of the supervised baseline" },
    {
      name: "probe-epochs",
      type: "integer",
      min: 1,
      help: "Epochs of each logistic regression",
      default: 100,
    },
  ],
};

/** What {@linkcode tutorial} takes: the shared settings of every stage, and its own. */
export type TutorialOptions = PretrainOptions & {
  /** Probe sizes, images per class, as numbers or comma-separated (default: all that fit). */
  sizes?: number[] | string | null;
  /** Epochs of the supervised baseline (default: the preset's). */
  baselineEpochs?: number;
  /** Epochs of each logistic regression (default 100). */
  probeEpochs?: number;
};

/**
 * Runs the whole tutorial in one run folder (`out`, default `runs/tutorial-<preset>`): SimCLR
 * pretraining (`pretrain/`), the linear probe of its encoder (`probe/`) and of an untrained one
 * (`probe-random-init/`), the supervised baseline (`baseline/`), the augmentation grid and
 * `report.html`. Every stage resumes: finished stages are skipped, and an interrupted training
 * continues from its last checkpoint.
 *
 * @param options The shared settings of every stage (camelCase flags) and the tutorial's own.
 * @returns The report's path.
 *
 * @example
 * ```ts ignore
 * import { tutorial } from "@simclr/pipeline";
 *
 * const report = await tutorial({ preset: "demo" }); // runs/tutorial-demo/report.html
 * ```
 */
export async function tutorial(options: TutorialOptions = {}): Promise<string> {
  options = withFlagDefaults(TUTORIAL_COMMAND.flags, options);
  const { settings } = runSettings(options, "tutorial");
  const out = options.out ?? `runs/tutorial-${settings.preset}`;
  const data = (await openData({ ...settings })).dir;

  console.error(`== 1/4 pretraining (${out}/pretrain)`);
  const trained = await pretrain({ ...options, out: `${out}/pretrain`, resume: true });
  const pretraining = trained.config;

  console.error(`== 2/4 linear probe of the pretrained encoder (${out}/probe)`);
  const probing = {
    sizes: options.sizes ?? null,
    data,
    sourceSize: settings.sourceSize,
    skipBroken: settings.skipBroken,
    imageCache: settings.imageCache,
    epochs: options.probeEpochs,
    seed: pretraining.seed,
    backend: pretraining.backend,
    progress: options.progress,
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
    baselineResult = await baseline({
      ...options,
      out: `${out}/baseline`,
      resume: true,
      epochs: options.baselineEpochs,
    });
  }

  console.error(`== 4/4 augmentation grid and report (${out}/report.html)`);
  const grid = await augmentGrid({
    out: `${out}/augment_grid.png`,
    data,
    sourceSize: settings.sourceSize,
    skipBroken: settings.skipBroken,
    imageCache: settings.imageCache,
    split: "unlabeled",
    seed: pretraining.seed,
    count: 6,
    columns: 6,
  });
  return await writeReport(out, {
    title: `SimCLR tutorial (${settings.preset} preset) on ${pretrained.dataset}`,
    dataset: pretrained.dataset,
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

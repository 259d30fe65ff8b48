// `deno task tutorial`: the whole tutorial in one run folder: SimCLR pretraining, the linear
// probe (and, for comparison, a probe of an untrained encoder), the supervised baseline, the
// augmentation grid and report.html. Every stage resumes: finished stages are skipped, and an
// interrupted training continues from its last checkpoint.
import { writeReport } from "@simclr/eval";
import { type Flag, parseFlags, runMain } from "./_cli.ts";
import { ensureDemoData, PRESETS, readMetrics, resolve, SHARED_FLAGS } from "./_run.ts";
import { baseline, baselineConfig, type BaselineResult } from "./baseline.ts";
import { pretrain, pretrainConfig } from "./pretrain.ts";
import { probe } from "./probe.ts";

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

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Runs every stage for the command line `args`; returns the path of report.html. */
export async function tutorial(args: string[]): Promise<string> {
  const flags = parseFlags(
    "tutorial",
    "The whole tutorial: SimCLR pretraining, linear probe (and one of an untrained encoder), " +
      "supervised baseline, augmentation grid and report.html, in one resumable run folder.",
    FLAGS,
    args,
  );
  const preset = PRESETS[(flags.preset as string | undefined) ?? "demo"];
  const out = resolve(flags, "out", `runs/tutorial-${preset.name}`);
  const givenData = resolve<string | null>(flags, "data", null);
  const data = givenData ?? await ensureDemoData();
  // Flags every stage shares, passed on as they were given. Without --data, pretraining uses
  // its demo default (train+unlabeled) rather than STL10's unlabeled split alone.
  const shared = ["--preset", preset.name, ...(givenData ? ["--data", givenData] : [])];
  for (const name of ["image-size", "width", "seed", "backend", "batch-size"]) {
    if (flags[name] !== undefined) shared.push(`--${name}`, String(flags[name]));
  }

  console.error(`== 1/4 pretraining (${out}/pretrain)`);
  const pretrainArgs = [...shared, "--out", `${out}/pretrain`, "--resume"];
  if (flags.epochs !== undefined) pretrainArgs.push("--epochs", String(flags.epochs));
  const pretrainSettings = pretrainConfig(pretrainArgs);
  const trained = await pretrain(pretrainSettings);
  const weights = trained.checkpoints.best ?? trained.checkpoints.last;

  console.error(`== 2/4 linear probe of the pretrained encoder (${out}/probe)`);
  const probeArgs = ["--data", data, "--epochs", String(flags["probe-epochs"] ?? 100)];
  if (flags.sizes !== undefined) probeArgs.push("--sizes", String(flags.sizes));
  if (flags.backend !== undefined) probeArgs.push("--backend", String(flags.backend));
  if (flags.seed !== undefined) probeArgs.push("--seed", String(flags.seed));
  const pretrained = await probe([...probeArgs, "--weights", weights, "--out", `${out}/probe`]);
  const random = await probe([
    ...probeArgs,
    "--random-init",
    "--width",
    String(pretrainSettings.width),
    "--stem",
    pretrainSettings.stem,
    "--image-size",
    String(pretrainSettings.imageSize),
    "--out",
    `${out}/probe-random-init`,
  ]);

  console.error(`== 3/4 supervised baseline (${out}/baseline)`);
  let baselineResult: BaselineResult;
  const baselineJson = `${out}/baseline/baseline.json`;
  if (await exists(baselineJson)) {
    baselineResult = JSON.parse(await Deno.readTextFile(baselineJson));
    console.error(`already done: ${baselineJson}`);
  } else {
    const baselineArgs = [...shared, "--out", `${out}/baseline`, "--resume"];
    if (flags["baseline-epochs"] !== undefined) {
      baselineArgs.push("--epochs", String(flags["baseline-epochs"]));
    }
    baselineResult = await baseline(baselineConfig(baselineArgs));
  }

  console.error(`== 4/4 augmentation grid and report (${out}/report.html)`);
  const grid = `${out}/augment_grid.png`;
  const gridRun = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./augment_grid.ts", import.meta.url).pathname,
      "--out",
      grid,
      "--data",
      data,
      "--seed",
      String(pretrainSettings.seed),
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  const report = await writeReport(out, {
    title: `SimCLR tutorial (${preset.name} preset)`,
    config: JSON.parse(await Deno.readTextFile(`${out}/pretrain/config.json`)),
    probe: pretrained.results,
    probeOthers: { "random init": random.results },
    knn: { pretrained: pretrained.knn, "random init": random.knn },
    baseline: { train: baselineResult.train, test: baselineResult.test },
    pretrainMetrics: await readMetrics(`${out}/pretrain/metrics.jsonl`),
    baselineMetrics: await readMetrics(`${out}/baseline/metrics.jsonl`),
    augmentGrid: gridRun.success ? grid : undefined,
  });
  return report;
}

if (import.meta.main) {
  await runMain(async () => {
    const report = await tutorial(Deno.args);
    console.log(`report: ${report}`);
  });
}

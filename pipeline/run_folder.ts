// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import type { SelectedBackend } from "@simclr/backends";
import { type ReportContents, trainingCurvesSpec, writeChart, writeReport } from "@simclr/eval";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { writeJsonAtomic } from "@simclr/internal/write-atomic";
import { lockRunFolder } from "@simclr/train/lock-run-folder";
import type { Parallelism } from "./start_backend.ts";

/**
 * Runs `work` while this process holds the run folder `out` (`lockRunFolder` of
 * `@simclr/train`: `out/run.lock` names this process), so that a second run into a folder a
 * live run holds is refused before it writes anything, `config.json` included. `fit()` holds
 * the folder too; holds nest within a process.
 *
 * @param out The run folder.
 * @param work What writes into it.
 * @returns What `work` returns.
 *
 * @example
 * ```ts
 * import { inRunFolder } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const out = await Deno.makeTempDir();
 * const pid = await inRunFolder(out, async () =>
 *   JSON.parse(await Deno.readTextFile(`${out}/run.lock`)).pid
 * );
 * assert.equal(pid, Deno.pid);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function inRunFolder<T>(out: string, work: () => Promise<T>): Promise<T> {
  const lock = await lockRunFolder(out);
  try {
    return await work();
  } finally {
    lock.release();
  }
}

/**
 * Backend, device and versions, for config.json.
 *
 * @param backend The backend in use.
 * @returns `backendInUse`, `device`, `versions` and `startedAt`.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@simclr/backends";
 * import { runInfo } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const info = await runInfo(await selectBackend("cpu", { log: null }));
 * assert.equal(info.backendInUse, "cpu");
 * ```
 */
export async function runInfo(backend: SelectedBackend): Promise<Record<string, unknown>> {
  const root = JSON.parse(await Deno.readTextFile(new URL("./deno.json", import.meta.url)));
  return {
    backendInUse: backend.name,
    device: backend.device,
    versions: { simclr: root.version, deno: Deno.version.deno, tfjs: tf.version_core },
    startedAt: new Date().toISOString(),
  };
}

/**
 * Creates the run folder and writes `config.json` (atomically): the run's settings with the
 * data folder in use, the backend, device and versions.
 *
 * @param config The run's settings (`out` is the run folder).
 * @param dataDir The data folder in use.
 * @param parallelism The backend, threads and workers in use.
 * @returns What it wrote.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@simclr/backends";
 * import { writeRunConfig } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const out = await Deno.makeTempDir();
 * const backend = await selectBackend("cpu", { log: null });
 * await writeRunConfig({ out, epochs: 3 }, "data", { backend, threads: 1, workers: 1 });
 * assert.equal(JSON.parse(await Deno.readTextFile(`${out}/config.json`)).epochs, 3);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function writeRunConfig<T extends { out: string }>(
  config: T,
  dataDir: string,
  parallelism: Parallelism,
): Promise<Record<string, unknown>> {
  await Deno.mkdir(config.out, { recursive: true });
  const fullConfig = {
    ...config,
    data: dataDir,
    ...await runInfo(parallelism.backend),
    threadsInUse: parallelism.threads,
    workersInUse: parallelism.workers,
  };
  delete (fullConfig as Record<string, unknown>).progress; // a callback is no setting
  await writeJsonAtomic(`${config.out}/config.json`, fullConfig);
  return fullConfig;
}

/**
 * The records of a run's `metrics.jsonl` (none when the file does not exist).
 *
 * @param path The file.
 * @returns One object per line.
 *
 * @example
 * ```ts
 * import { readMetrics } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(await readMetrics("/nonexistent/metrics.jsonl"), []);
 * ```
 */
export async function readMetrics(path: string): Promise<Record<string, unknown>[]> {
  const text = await nullIfMissing(Deno.readTextFile(path));
  return (text ?? "").split("\n").filter((line) => line.trim() !== "").map((l) => JSON.parse(l));
}

/**
 * Writes a training run's plots and report into its folder: `curves.svg` and `curves.png`
 * (loss, accuracy, the online monitors and learning rate per epoch from `metrics.jsonl`) and
 * `report.html`.
 *
 * @param out The run folder.
 * @param contents The report's title, config and results.
 * @param metricsField Which report section the run's records fill.
 * @returns The report's path.
 *
 * @example
 * ```ts ignore
 * import { writeRunReport } from "@simclr/pipeline";
 *
 * await writeRunReport("runs/pretrain-demo", { title: "SimCLR pretraining" }, "pretrainMetrics");
 * ```
 */
export async function writeRunReport(
  out: string,
  contents: ReportContents,
  metricsField: "pretrainMetrics" | "baselineMetrics",
): Promise<string> {
  const records = await readMetrics(`${out}/metrics.jsonl`);
  await writeChart(`${out}/curves`, trainingCurvesSpec(records));
  return await writeReport(out, { ...contents, [metricsField]: records });
}

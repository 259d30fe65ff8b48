// Copyright 2026 the simclr authors. MIT license.
/**
 * The pipeline as functions: what `deno task pretrain | probe | baseline | tutorial |
 * augment-grid` run, callable from code. Each takes one config object whose fields are the
 * command's flags in camelCase (`--batch-size` is `batchSize`; absent fields take the preset's
 * values and the flags' defaults), writes the same run folder as the command, and returns its
 * results as values. A `progress` callback replaces the terminal's progress bars.
 *
 * - {@linkcode pretrain}: any method of `@simclr/methods` (`method: "byol"`), on any data
 *   that `openDataSet` of `@simclr/datasets` opens (`data`), or on the demo data.
 * - {@linkcode probe}: the linear probe and kNN accuracy of a checkpoint's encoder.
 * - {@linkcode baseline}: the supervised ResNet-18 from scratch.
 * - {@linkcode tutorial}: all of them and the report; {@linkcode augmentGrid}: view pairs.
 * - {@linkcode embed}: a vector per image of a data folder; {@linkcode neighbours}: search over
 *   them, and near-duplicates.
 * - {@linkcode PRESETS}: every preset, as data; the commands' flags ({@linkcode PRETRAIN_COMMAND},
 *   ...) are the configs' fields, with their help and defaults.
 *
 * @example Pretrain, then probe, from code
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { pretrain, probe } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(`${dir}/data`, { trainPerClass: 2, testPerClass: 1, unlabeled: 8, imageSize: 16 });
 * const data = `${dir}/data`;
 * const run = await pretrain({
 *   data, out: `${dir}/run`, method: "byol", epochs: 1, batchSize: 8, imageSize: 16, width: 2,
 *   backend: "cpu", workers: 1, progress: () => {},
 * });
 * const { results } = await probe({
 *   weights: run.checkpoints.last, data, out: `${dir}/probe`, sizes: [1], epochs: 2,
 *   cache: `${dir}/cache`, backend: "cpu", progress: () => {},
 * });
 * assert.ok(results[1].test >= 0 && results[1].test <= 1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./augment_grid.ts";
export * from "./baseline.ts";
export * from "./demo_data.ts";
export * from "./embed.ts";
export * from "./flag.ts";
export * from "./neighbours.ts";
export * from "./open_data.ts";
export * from "./presets.ts";
export * from "./pretrain.ts";
export * from "./probe.ts";
export * from "./progress.ts";
export * from "./run_folder.ts";
export * from "./run_settings.ts";
export * from "./start_backend.ts";
export * from "./tutorial.ts";
export * from "./usage_error.ts";

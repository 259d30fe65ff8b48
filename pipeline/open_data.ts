// Copyright 2026 the simclr authors. MIT license.
import { DEMO_CLASS_NAMES, type ImageSource, STL10_CLASS_NAMES } from "@simclr/datasets";
import { type DataSet, type DataSetSplit, openDataSet } from "@simclr/datasets/open-data-set";
import { ensureDemoData } from "./demo_data.ts";
import { UsageError } from "./usage_error.ts";

/** How a pipeline function opens its data (the `--data` flags, camelCase). */
export interface DataOptions {
  /** The data folder, or `null` for the demo data set. */
  data: string | null;
  /** Image folders: side the images are stored at (`null` or absent: max(96, imageSize)). */
  sourceSize?: number | null;
  /** Side of the network's input (the stored side of image folders follows it). */
  imageSize?: number;
  /** Image folders: skip files that fail to decode. */
  skipBroken?: boolean;
  /** Image folders: the folder of the decoded-image cache (absent: `openDataSet`'s default). */
  imageCache?: string | null;
}

/** A data set opened for a run: the folder in use, the data set and its name. */
export interface OpenedData {
  /** The folder in use (the demo data's when none was given). */
  dir: string;
  /** The data set: its format, class names and splits. */
  dataSet: DataSet;
  /** Its name for titles and reports (see {@linkcode dataSetName}). */
  name: string;
}

/**
 * Opens the data a pipeline function reads: `options.data` (an `stl10_binary` folder or an
 * image folder, detected by `openDataSet` of `@simclr/datasets`), or the demo data set,
 * generated once, when it is `null`.
 *
 * @param options The data folder and how image folders are read.
 * @returns The folder, the data set and its name.
 *
 * @example
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { openData } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 1, testPerClass: 1, unlabeled: 0 });
 * const { dataSet, name } = await openData({ data: dir });
 * assert.equal(name, "demo data");
 * assert.equal((await dataSet.split("train"))!.length, 10);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openData(options: DataOptions): Promise<OpenedData> {
  const dir = options.data ?? await ensureDemoData();
  const dataSet = await openDataSet(dir, {
    sourceSize: options.sourceSize ?? Math.max(96, options.imageSize ?? 96),
    skipBroken: options.skipBroken ?? false,
    ...(options.imageCache ? { cacheDir: options.imageCache } : {}),
  });
  return { dir, dataSet, name: dataSetName(options.data, dataSet.classNames) };
}

/**
 * A split with labels, or a one-line {@linkcode UsageError} that says the data has none (or,
 * for `train`, only one class): what the probe and the baseline need.
 *
 * @param data The opened data.
 * @param split `train` or `test`.
 * @returns The split.
 *
 * @example
 * ```ts
 * import { generateDemoData } from "@simclr/datasets";
 * import { labelledSplit, openData } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 1, testPerClass: 1, unlabeled: 0 });
 * const data = await openData({ data: dir });
 * assert.equal((await labelledSplit(data, "test")).classNames.length, 10);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function labelledSplit(
  data: OpenedData,
  split: Extract<DataSetSplit, "train" | "test">,
): Promise<ImageSource> {
  const source = await data.dataSet.split(split);
  if (source === null || source.labels() === null) {
    const expected = data.dataSet.format === "stl10"
      ? `${split}_X.bin and ${split}_y.bin`
      : `a ${split}/ folder of class folders`;
    throw new UsageError(
      `--data ${data.dir}: no labelled ${split} images: expected ${expected} (this needs labels)`,
    );
  }
  if (source.length === 0) {
    throw new UsageError(
      `--data ${data.dir}: the ${split} split is empty: expected labelled images`,
    );
  }
  const classes = new Set(source.labels());
  if (split === "train" && classes.size < 2) {
    const name = source.classNames[[...classes][0]] ?? "";
    throw new UsageError(
      `--data ${data.dir}: its train images are all of one class (${name}): expected 2 or ` +
        "more classes to train a classifier on",
    );
  }
  return source;
}

/**
 * The name of a data set for titles and reports: `STL10` when its classes are STL10's (from
 * `class_names.txt`, or STL10's own files without one), `demo data` for the demo data set,
 * else its folder's name (the parent's for a folder named `stl10_binary`).
 *
 * @param dir The `--data` folder, or `null` for the demo data.
 * @param classNames The data set's class names.
 * @returns The name.
 *
 * @example
 * ```ts
 * import { STL10_CLASS_NAMES } from "@simclr/datasets";
 * import { dataSetName } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(dataSetName("data/stl10_binary", STL10_CLASS_NAMES), "STL10");
 * assert.equal(dataSetName("data/flowers/stl10_binary", ["rose", "tulip"]), "flowers");
 * ```
 */
export function dataSetName(dir: string | null, classNames: readonly string[]): string {
  const same = (names: readonly string[]) =>
    classNames.length === names.length && classNames.every((c, i) => c === names[i]);
  if (same(STL10_CLASS_NAMES)) return "STL10";
  if (dir === null || same(DEMO_CLASS_NAMES)) return "demo data";
  const parts = dir.split(/[\\/]+/).filter((p) => p !== "" && p !== ".");
  const name = parts.at(-1) ?? dir;
  return name === "stl10_binary" && parts.length > 1 ? parts.at(-2)! : name;
}

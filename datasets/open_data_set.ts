import { argumentMessage, show } from "@simclr/internal/checks";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { fileSize, joinPath } from "./_fs.ts";
import { isImageName, scanImageFolder } from "./_scan_image_folder.ts";
import type { ImageSource } from "./image_source.ts";
import { ImageFolderError } from "./image_folder_error.ts";
import { openScannedFolder } from "./_image_folder.ts";
import type { BrokenImage, SkippedFiles } from "./open_image_folder.ts";
import { openSTL10, type STL10Split } from "./open_stl10.ts";

/** The roles a data set's images play: STL10's splits, which every command uses. */
export type DataSetSplit = STL10Split;

/** How a data set's folder is laid out. */
export type DataSetFormat = "stl10" | "image-folder";

/** A data set opened by {@linkcode openDataSet}: its format, class names and splits. */
export interface DataSet {
  /** The folder given. */
  readonly dir: string;
  /** Its layout. */
  readonly format: DataSetFormat;
  /** Names of the classes, indexed by label (empty for unlabeled data). */
  readonly classNames: readonly string[];
  /** The splits the folder has, of those `split()` can open. */
  readonly splits: readonly DataSetSplit[];
  /**
   * Opens one split: `train` and `test` are labelled, `unlabeled` is not, `train+unlabeled` is
   * both (train first; label -1 for the unlabeled images). `null` when the folder has no such
   * images.
   */
  split(name: DataSetSplit): Promise<ImageSource | null>;
  /** Image folders: the files left out, by reason (all zero for STL10). */
  readonly skipped: SkippedFiles;
  /**
   * Image folders: the images that failed to decode and were skipped (`skipBroken`); the
   * commands write them into the run folder. Empty for STL10.
   */
  readonly broken: readonly BrokenImage[];
}

/** Options of {@linkcode openDataSet}. */
export interface OpenDataSetOptions {
  /** Image folders: side of the stored images (shorter side resized, then centre-cropped). */
  sourceSize?: number;
  /** Image folders: the folder of the decoded-image cache. */
  cacheDir?: string;
  /** Image folders: skip files that fail to decode (else they are an error). */
  skipBroken?: boolean;
  /** Image folders: a progress bar while decoding. Default: when stderr is a terminal. */
  progress?: boolean;
}

const STL10_SPLITS: readonly DataSetSplit[] = ["train", "test", "unlabeled", "train+unlabeled"];

/**
 * Opens the data set in `dir`, detecting its layout: an `stl10_binary` folder (STL10's files,
 * or the demo data set in that format) when it holds `train_X.bin`, `test_X.bin` or
 * `unlabeled_X.bin`, else an image folder ({@linkcode openImageFolder}: `DIR/<class>/<image>`,
 * `DIR/train|test/<class>/<image>` and `DIR/unlabeled/...`, or images with no class folders).
 * A folder that is neither is an {@linkcode ImageFolderError} naming both.
 *
 * @param dir The `--data` folder.
 * @param options Settings of image folders.
 * @returns The data set.
 *
 * @example The demo data set
 * ```ts
 * import { generateDemoData, openDataSet } from "@simclr/datasets";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 2, testPerClass: 1, unlabeled: 4 });
 * const data = await openDataSet(dir);
 * strictEqual(data.format, "stl10");
 * deepStrictEqual(data.splits, ["train", "test", "unlabeled", "train+unlabeled"]);
 * strictEqual((await data.split("train+unlabeled"))!.length, 24);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openDataSet(dir: string, options: OpenDataSetOptions = {}): Promise<DataSet> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(argumentMessage("openDataSet()", `dir is ${show(dir)}`, "a folder path"));
  }
  const has = async (name: string) => (await fileSize(joinPath(dir, `${name}_X.bin`))) !== null;
  const present = {
    train: await has("train"),
    test: await has("test"),
    unlabeled: await has("unlabeled"),
  };
  if (!present.train && !present.test && !present.unlabeled) return await openFolder(dir, options);
  const splits = STL10_SPLITS.filter((s) =>
    s === "train+unlabeled" ? present.train && present.unlabeled : present[s]
  );
  const first = await openSTL10(dir, splits[0]);
  return {
    dir,
    format: "stl10",
    classNames: first.classNames,
    splits,
    split: async (name) => splits.includes(name) ? await openSTL10(dir, name) : null,
    skipped: { hidden: 0, notImages: 0, links: 0, outside: 0 },
    broken: [],
  };
}

/** An image folder, or the one-line error for a folder that is no data set. */
async function openFolder(dir: string, options: OpenDataSetOptions): Promise<DataSet> {
  let scan;
  try {
    scan = await scanImageFolder(dir);
  } catch (error) {
    if (!(error instanceof ImageFolderError) || !/ holds no images /.test(error.message)) {
      throw error;
    }
    // Which kind of folder the user meant: say what each would hold.
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    const seen = names.filter((n) => !n.startsWith(".")).slice(0, 3);
    const stl10 = await nullIfMissing(Deno.stat(joinPath(dir, "stl10_binary")));
    throw new ImageFolderError(
      `${dir} is neither an stl10_binary folder (train_X.bin, test_X.bin, unlabeled_X.bin) ` +
        `nor an image folder (images, DIR/<class>/<image> or DIR/train/<class>/<image>; ` +
        `${names.some(isImageName) ? "" : "no "}image files found${
          seen.length
            ? `, it holds ${seen.join(", ")}${names.length > 3 ? ", ..." : ""}`
            : ", it is empty"
        })${stl10 ? `: did you mean ${joinPath(dir, "stl10_binary")}?` : ""}`,
    );
  }
  const folder = await openScannedFolder(dir, scan, options);
  return {
    dir,
    format: "image-folder",
    classNames: folder.classNames,
    splits: folder.splits,
    split: (name) => Promise.resolve(folder.split(name)),
    skipped: folder.skipped,
    broken: folder.broken,
  };
}

// Copyright 2026 the simclr authors. MIT license.
import { argumentMessage, show } from "@simclr/internal/checks";
import {
  type ImageFolderLayout,
  scanImageFolder,
  type SkippedFiles,
} from "./_scan_image_folder.ts";
import { openScannedFolder } from "./_image_folder.ts";
import type { ImageSource } from "./image_source.ts";
import type { STL10Split } from "./open_stl10.ts";

export type { ImageFolderLayout, SkippedFiles };
export { IMAGE_EXTENSIONS } from "./_scan_image_folder.ts";

/** Options of {@linkcode openImageFolder}. */
export interface OpenImageFolderOptions {
  /** Side of the stored images: shorter side resized to it, then centre-cropped. Default 96. */
  sourceSize?: number;
  /** Folder of the decoded-image cache. Default `.cache/image-folders`. */
  cacheDir?: string;
  /** Skip files that fail to decode (listed in `broken`) instead of throwing. Default false. */
  skipBroken?: boolean;
  /** A progress bar on stderr while decoding. Default: when stderr is a terminal. */
  progress?: boolean;
  /** Images decoded at once. Default: the number of cores. */
  concurrency?: number;
}

/** An image that failed to decode, skipped under `skipBroken`. */
export interface BrokenImage {
  /** Path relative to the folder. */
  path: string;
  /** The decoder's reason. */
  reason: string;
}

/** One split of an image folder: an {@linkcode ImageSource} that knows its files. */
export interface ImageFolderSplit extends ImageSource {
  /** Each image's path relative to the folder, with `/`, in source order. */
  readonly paths: readonly string[];
}

/** An opened image folder ({@linkcode openImageFolder}). */
export interface ImageFolder {
  /** The folder given. */
  readonly dir: string;
  /** Its layout, as detected. */
  readonly layout: ImageFolderLayout;
  /** Class names, indexed by label: the class folders' names, sorted (empty when unlabeled). */
  readonly classNames: readonly string[];
  /** Side of the stored images. */
  readonly imageSize: number;
  /** The splits the folder has, in the order `train`, `test`, `unlabeled`, `train+unlabeled`. */
  readonly splits: readonly STL10Split[];
  /**
   * One split (`null` when the folder has none): `train` and `test` labelled, `unlabeled` not,
   * `train+unlabeled` both (train first, label -1 for the unlabeled images; no labels at all
   * when the folder has no `train` images).
   */
  split(name: STL10Split): ImageFolderSplit | null;
  /** Files the scan left out, by reason. */
  readonly skipped: SkippedFiles;
  /** Images that failed to decode and were skipped (`skipBroken`), by path. */
  readonly broken: readonly BrokenImage[];
  /** The cache file that holds the decoded images. */
  readonly cachePath: string;
  /** Images decoded by this call (the others came from the cache). */
  readonly decoded: number;
}

/**
 * Opens a folder of images (JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF) as data: each image is decoded
 * once, resized as torchvision's `Resize(sourceSize)` + `CenterCrop(sourceSize)` on a PIL image
 * (bilinear, antialiased), and kept as uint8 HWC in a cache file; the next call reuses it and
 * decodes only the files that are new or changed (by path, size and modification time). The
 * layout is detected:
 *
 * ```
 * DIR/<class>/<image>              classes: torchvision's ImageFolder; all of it is `train`
 * DIR/train/<class>/<image>        splits: train and test labelled (the classes of both),
 * DIR/test/<class>/<image>           unlabeled images anywhere under unlabeled/
 * DIR/unlabeled/[...]/<image>
 * DIR/[...]/<image>                images: images in DIR itself (and below), unlabeled
 * ```
 *
 * Class names are the class folders' names, sorted; images are taken in torchvision's order
 * (`sorted(os.walk(...))`). Names starting with `.` are skipped, as are files whose names do
 * not end as an image's, symbolic links to a folder already walked (loops) and dangling links;
 * `skipped` counts each. Decoding runs `concurrency` images at a time on sharp's (libvips)
 * threads. A file that fails to decode is an {@linkcode ImageDecodeError} naming it, unless
 * `skipBroken`, which skips it and lists it in `broken`. A folder without images is an
 * {@linkcode ImageFolderError}.
 *
 * @param dir The folder.
 * @param options Stored image side, cache folder, broken files, progress bar, concurrency.
 * @returns The folder's splits, class names, what was skipped and where the cache is.
 *
 * @example A folder of two classes
 * ```ts
 * import { openImageFolder } from "@simclr/datasets";
 * import sharp from "sharp";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * for (const [name, r] of [["red", 255], ["black", 0]] as const) {
 *   await Deno.mkdir(`${dir}/${name}`);
 *   const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r, g: 0, b: 0 } } }).png().toBuffer();
 *   await Deno.writeFile(`${dir}/${name}/a.png`, png);
 * }
 * const folder = await openImageFolder(dir, { sourceSize: 8, cacheDir: `${dir}/.cache`, progress: false });
 * assert.equal(folder.layout, "classes");
 * assert.deepEqual(folder.classNames, ["black", "red"]);
 * const train = folder.split("train")!;
 * assert.deepEqual(train.paths, ["black/a.png", "red/a.png"]);
 * const { pixels, labels } = await train.read([1]);
 * assert.deepEqual([...pixels.subarray(0, 3)], [255, 0, 0]);
 * assert.deepEqual([...labels!], [1]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openImageFolder(
  dir: string,
  options: OpenImageFolderOptions = {},
): Promise<ImageFolder> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(
      argumentMessage("openImageFolder()", `dir is ${show(dir)}`, "a folder path"),
    );
  }
  return await openScannedFolder(dir, await scanImageFolder(dir), options);
}

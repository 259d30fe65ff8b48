// Copyright 2026 the simclr authors. MIT license.
// Finding the images of a folder and its layout (no decoding): what openImageFolder and
// openDataSet's detection share.
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { joinPath } from "./_fs.ts";
import { ImageFolderError } from "./image_folder_error.ts";

/** File name endings read as images (lower-cased), torchvision's list less PPM/PGM, plus GIF. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  ".jpg",
  ".jpeg",
  ".jpe",
  ".jfif",
  ".png",
  ".webp",
  ".gif",
  ".bmp",
  ".tif",
  ".tiff",
  ".avif",
]);

/**
 * How an image folder is laid out: `classes` is torchvision's `ImageFolder`
 * (`DIR/<class>/<image>`), `splits` has `DIR/train`, `DIR/test`, `DIR/unlabeled`, `images` is
 * images with no class folders.
 */
export type ImageFolderLayout = "classes" | "splits" | "images";

/** Files an image folder's scan left out, by reason. */
export interface SkippedFiles {
  /** Names starting with `.` (files and folders, e.g. `.DS_Store`, `.git`). */
  hidden: number;
  /** Files whose names do not end as an image's (`.txt`, `.csv`, `.json`...). */
  notImages: number;
  /** Symbolic links to a folder already visited (a loop) or to nothing. */
  links: number;
  /** Images and folders beside `train`, `test` and `unlabeled` in the `splits` layout. */
  outside: number;
}

/** One image file found. */
export interface FoundImage {
  /** Path relative to the folder, with `/`. */
  path: string;
  /** Size in bytes. */
  size: number;
  /** Modification time in milliseconds (0 when the file system has none). */
  mtimeMs: number;
  /** 0-based class, or -1 when unlabeled. */
  label: number;
}

/** What {@linkcode scanImageFolder} found. */
export interface ImageFolderScan {
  layout: ImageFolderLayout;
  classNames: string[];
  train: FoundImage[];
  test: FoundImage[];
  unlabeled: FoundImage[];
  skipped: SkippedFiles;
}

const SPLIT_FOLDERS = ["train", "test", "unlabeled"] as const;

/** Whether `name` ends as an image file's does. */
export function isImageName(name: string): boolean {
  const dot = name.lastIndexOf(".");
  return dot > 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

interface Walk {
  skipped: SkippedFiles;
  /** Real paths of the folders visited, so that each is walked once (no symlink loops). */
  visited: Set<string>;
}

interface Entry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
  size: number;
  mtimeMs: number;
}

/** The entries of `dir`, symbolic links followed, hidden names counted and left out. */
async function entries(dir: string, walk: Walk): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.name.startsWith(".")) {
      walk.skipped.hidden++;
      continue;
    }
    const path = joinPath(dir, entry.name);
    const info = await nullIfMissing(Deno.stat(path)); // follows links; null: a dangling link
    if (info === null) {
      walk.skipped.links++;
      continue;
    }
    out.push({
      name: entry.name,
      isDirectory: info.isDirectory,
      isFile: info.isFile,
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? 0,
    });
  }
  return out;
}

/** Marks the folder visited; false when it was already (a link back into the walk). */
async function visit(dir: string, walk: Walk): Promise<boolean> {
  const real = await Deno.realPath(dir);
  if (walk.visited.has(real)) return false;
  walk.visited.add(real);
  return true;
}

/**
 * Every image under `root/rel`, in torchvision's order (`sorted(os.walk(...))`: folders by path,
 * files by name within each), labelled `label`.
 */
async function imagesUnder(root: string, rel: string, label: number, walk: Walk) {
  const byFolder: { folder: string; files: FoundImage[] }[] = [];
  const go = async (folder: string): Promise<void> => {
    const files: FoundImage[] = [];
    byFolder.push({ folder, files });
    for (const e of await entries(joinPath(root, folder), walk)) {
      const path = `${folder}/${e.name}`;
      if (e.isDirectory) {
        if (await visit(joinPath(root, path), walk)) await go(path);
        else walk.skipped.links++;
      } else if (e.isFile && isImageName(e.name)) {
        files.push({ path, size: e.size, mtimeMs: e.mtimeMs, label });
      } else {
        walk.skipped.notImages++;
      }
    }
  };
  await go(rel);
  byFolder.sort((a, b) => compare(a.folder, b.folder));
  return byFolder.flatMap(({ files }) => files.sort((a, b) => compare(a.path, b.path)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The class folders of `rel` (`""`: the root) with their images; images beside them are an error. */
async function classFolders(root: string, rel: string, walk: Walk) {
  const classes = new Map<string, FoundImage[]>();
  const here = await entries(joinPath(root, rel), walk);
  for (const e of here.sort((a, b) => compare(a.name, b.name))) {
    const path = rel === "" ? e.name : `${rel}/${e.name}`;
    if (e.isDirectory) {
      if (!(await visit(joinPath(root, path), walk))) {
        walk.skipped.links++;
        continue;
      }
      const images = await imagesUnder(root, path, -1, walk);
      if (images.length > 0) classes.set(e.name, images);
    } else if (e.isFile && isImageName(e.name)) {
      throw new ImageFolderError(
        `${joinPath(root, path)} is not in a class folder: expected ${
          joinPath(root, rel)
        }/<class>/<image> (unlabeled images go in ${joinPath(root, "unlabeled")})`,
      );
    } else {
      walk.skipped.notImages++;
    }
  }
  return classes;
}

/**
 * Finds the images of an image folder and detects its layout:
 * - `splits` when it has a folder named `train`, `test` or `unlabeled`: `train/<class>/...` and
 *   `test/<class>/...` are labelled (classes: the sorted names of both's class folders),
 *   everything under `unlabeled/` is unlabeled;
 * - `images` when image files lie in the folder itself: every image under it, unlabeled;
 * - `classes` otherwise: torchvision's `ImageFolder`, one class per folder (sorted by name),
 *   every image under it; these are the `train` split.
 * A folder with no images at all is an {@linkcode ImageFolderError}.
 */
export async function scanImageFolder(dir: string): Promise<ImageFolderScan> {
  const info = await nullIfMissing(Deno.stat(dir));
  if (info === null) throw new Deno.errors.NotFound(`no such folder: ${dir}`);
  if (!info.isDirectory) {
    throw new ImageFolderError(`${dir} is a file: expected a folder of images`);
  }
  const newWalk = async (): Promise<Walk> => ({
    skipped: { hidden: 0, notImages: 0, links: 0, outside: 0 },
    visited: new Set([await Deno.realPath(dir)]),
  });
  // A first look at the top level decides the layout; the walk proper counts from zero.
  const top = await entries(dir, await newWalk());
  const splitsPresent = SPLIT_FOLDERS.filter((s) => top.some((e) => e.isDirectory && e.name === s));
  const walk = await newWalk();
  let scan: ImageFolderScan;
  if (splitsPresent.length > 0) {
    await entries(dir, walk); // counts the hidden names and dangling links at the top
    const labelled: Record<string, Map<string, FoundImage[]>> = {};
    for (const s of ["train", "test"] as const) {
      labelled[s] = splitsPresent.includes(s) && await visit(joinPath(dir, s), walk)
        ? await classFolders(dir, s, walk)
        : new Map();
    }
    const classNames = [...new Set([...labelled.train.keys(), ...labelled.test.keys()])].sort(
      compare,
    );
    const flatten = (classes: Map<string, FoundImage[]>) =>
      classNames.flatMap((name, label) =>
        (classes.get(name) ?? []).map((image) => ({ ...image, label }))
      );
    const unlabeled = splitsPresent.includes("unlabeled") &&
        await visit(joinPath(dir, "unlabeled"), walk)
      ? await imagesUnder(dir, "unlabeled", -1, walk)
      : [];
    walk.skipped.outside += top.filter((e) =>
      e.isDirectory ? !(SPLIT_FOLDERS as readonly string[]).includes(e.name) : isImageName(e.name)
    ).length;
    walk.skipped.notImages += top.filter((e) =>
      !e.isDirectory && !isImageName(e.name)
    ).length;
    scan = {
      layout: "splits",
      classNames,
      train: flatten(labelled.train),
      test: flatten(labelled.test),
      unlabeled,
      skipped: walk.skipped,
    };
  } else if (top.some((e) => e.isFile && isImageName(e.name))) {
    const unlabeled = (await imagesUnder(dir, ".", -1, walk)).map((image) => ({
      ...image,
      path: image.path.slice(2), // drop "./"
    }));
    scan = {
      layout: "images",
      classNames: [],
      train: [],
      test: [],
      unlabeled,
      skipped: walk.skipped,
    };
  } else {
    const classes = await classFolders(dir, "", walk);
    const classNames = [...classes.keys()];
    const train = classNames.flatMap((name, label) =>
      classes.get(name)!.map((image) => ({ ...image, label }))
    );
    scan = { layout: "classes", classNames, train, test: [], unlabeled: [], skipped: walk.skipped };
  }
  if (scan.train.length + scan.test.length + scan.unlabeled.length === 0) {
    const { hidden, notImages } = scan.skipped;
    throw new ImageFolderError(
      `${dir} holds no images (${IMAGE_EXTENSIONS.join(", ")}; skipped ${hidden} hidden and ` +
        `${notImages} other files): expected DIR/<image>, DIR/<class>/<image> or ` +
        "DIR/train/<class>/<image>",
    );
  }
  return scan;
}

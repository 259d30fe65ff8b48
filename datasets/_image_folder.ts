// Copyright 2026 the simclr authors. MIT license.
// openImageFolder's machinery: the cache file (decoded images, then a JSON index), rebuilding
// it for the files that changed, and the splits that read from it.
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "cli-progress";
import { argumentMessage, checkBoolean, checkInteger, show } from "@simclr/internal/checks";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { sha256Hex } from "@simclr/internal/sha256";
import { joinPath, readAt, writeAll } from "./_fs.ts";
import { decodeImage, decoderVersion } from "./_decode_image.ts";
import type { FoundImage, ImageFolderScan } from "./_scan_image_folder.ts";
import type { ImageBatch } from "./image_source.ts";
import { ImageDecodeError } from "./image_decode_error.ts";
import { ImageFolderError } from "./image_folder_error.ts";
import type { STL10Split } from "./open_stl10.ts";
import type {
  BrokenImage,
  ImageFolder,
  ImageFolderSplit,
  OpenImageFolderOptions,
} from "./open_image_folder.ts";

const MAGIC = "SIMCLR-IMAGES-1";

interface CacheEntry {
  size: number;
  mtimeMs: number;
  /** Slot in the cache file, or -1 when the file failed to decode. */
  slot: number;
  reason?: string;
}

interface CacheIndex {
  magic: string;
  settings: string;
  entries: Record<string, CacheEntry>;
}

/** {@linkcode openImageFolder} on a folder already scanned (openDataSet scans to detect). */
export async function openScannedFolder(
  dir: string,
  scan: ImageFolderScan,
  options: OpenImageFolderOptions = {},
): Promise<ImageFolder> {
  const fn = "openImageFolder()";
  const size = checkInteger(fn, "options.sourceSize", options.sourceSize ?? 96, { min: 1 });
  const skipBroken = checkBoolean(fn, "options.skipBroken", options.skipBroken ?? false);
  const concurrency = checkInteger(
    fn,
    "options.concurrency",
    options.concurrency ?? navigator.hardwareConcurrency,
    { min: 1 },
  );
  const cacheDir = options.cacheDir ?? ".cache/image-folders";
  const showProgress = options.progress ?? Deno.stderr.isTerminal();
  const realDir = await Deno.realPath(dir);
  const settings = JSON.stringify({ dir: realDir, size, decoder: decoderVersion() });
  await Deno.mkdir(cacheDir, { recursive: true });
  const cachePath = joinPath(cacheDir, `${(await sha256Hex(settings)).slice(0, 20)}.images`);
  const bytes = size * size * 3;

  // Every file once (a path is in one split only), and what the old cache knows of it.
  const all = [...scan.train, ...scan.test, ...scan.unlabeled];
  const old = await readIndex(cachePath, settings);
  const fresh = (image: FoundImage) => {
    const e = old?.entries[image.path];
    return e !== undefined && e.size === image.size && e.mtimeMs === image.mtimeMs ? e : undefined;
  };
  const stale = all.filter((image) => fresh(image) === undefined);
  const sameSet = old !== null && Object.keys(old.entries).length === all.length;
  let index: CacheIndex;
  if (stale.length === 0 && sameSet) {
    index = old!;
  } else {
    index = await rebuild(cachePath, settings, all, old, fresh, stale, {
      dir,
      size,
      concurrency,
      showProgress,
    });
  }
  const broken: BrokenImage[] = [];
  for (const image of all) {
    const entry = index.entries[image.path];
    if (entry.slot >= 0) continue;
    if (!skipBroken) throw new ImageDecodeError(joinPath(dir, image.path), entry.reason ?? "");
    broken.push({ path: image.path, reason: entry.reason ?? "" });
  }
  const ok = (images: FoundImage[]) => images.filter((i) => index.entries[i.path].slot >= 0);
  const parts = { train: ok(scan.train), test: ok(scan.test), unlabeled: ok(scan.unlabeled) };
  if (parts.train.length + parts.test.length + parts.unlabeled.length === 0) {
    throw new ImageFolderError(
      `${dir}: none of its ${all.length} images could be decoded (first: ${broken[0]?.path}: ${
        broken[0]?.reason
      })`,
    );
  }
  const reader = new CacheReader(cachePath, bytes);
  const make = (images: FoundImage[], labelled: boolean, labels?: Int32Array) =>
    new FolderSplit(
      reader,
      size,
      scan.classNames,
      images.map((i) => i.path),
      Int32Array.from(images, (i) => index.entries[i.path].slot),
      labelled ? labels ?? Int32Array.from(images, (i) => i.label) : null,
    );
  const splits = new Map<STL10Split, ImageFolderSplit>();
  if (parts.train.length > 0) splits.set("train", make(parts.train, true));
  if (parts.test.length > 0) splits.set("test", make(parts.test, true));
  if (parts.unlabeled.length > 0) splits.set("unlabeled", make(parts.unlabeled, false));
  if (parts.train.length > 0 || parts.unlabeled.length > 0) {
    const both = [...parts.train, ...parts.unlabeled];
    splits.set(
      "train+unlabeled",
      make(both, parts.train.length > 0, Int32Array.from(both, (i) => i.label)),
    );
  }
  return {
    dir,
    layout: scan.layout,
    classNames: scan.classNames,
    imageSize: size,
    splits: [...splits.keys()],
    split: (name) => splits.get(name) ?? null,
    skipped: scan.skipped,
    broken,
    cachePath,
    decoded: stale.length,
  };
}

async function readIndex(path: string, settings: string): Promise<CacheIndex | null> {
  const file = await nullIfMissing(Deno.open(path, { read: true }));
  if (file === null) return null;
  try {
    const { size } = await file.stat();
    if (size < 8) return null;
    const tail = new Uint8Array(8);
    await readAt(file, size - 8, tail);
    const length = Number(new DataView(tail.buffer).getBigUint64(0, true));
    if (length > size - 8) return null;
    const json = new Uint8Array(length);
    await readAt(file, size - 8 - length, json);
    const index = JSON.parse(new TextDecoder().decode(json)) as CacheIndex;
    return index.magic === MAGIC && index.settings === settings ? index : null;
  } catch {
    return null; // unreadable: decode again
  } finally {
    file.close();
  }
}

/**
 * Writes a new cache file (a temporary name, then renamed): the images still fresh copied from
 * the old one, the stale ones decoded, then the index. Returns the index.
 */
async function rebuild(
  path: string,
  settings: string,
  all: FoundImage[],
  old: CacheIndex | null,
  fresh: (image: FoundImage) => CacheEntry | undefined,
  stale: FoundImage[],
  options: { dir: string; size: number; concurrency: number; showProgress: boolean },
): Promise<CacheIndex> {
  const { dir, size, concurrency, showProgress } = options;
  const bytes = size * size * 3;
  const temporary = `${path}.${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.tmp`;
  const out = await Deno.open(temporary, { write: true, createNew: true });
  const entries: Record<string, CacheEntry> = {};
  let slots = 0;
  // Writes go one after another (a shared file position); decoding runs concurrently.
  let writing = Promise.resolve();
  const append = (pixels: Uint8Array): number => {
    const slot = slots++;
    writing = writing.then(() => writeAll(out, pixels));
    return slot;
  };
  const bar = showProgress && stale.length > 0
    ? new cliProgress.SingleBar({
      format: "decoding [{bar}] {value}/{total} images | {rate} images/s | {eta_formatted} left",
      hideCursor: true,
      noTTYOutput: !Deno.stderr.isTerminal(), // asked for with `progress: true`
    }, cliProgress.Presets.shades_classic)
    : undefined;
  try {
    // 1. what the old cache still holds
    if (old !== null) {
      const reader = new CacheReader(path, bytes);
      try {
        for (const image of all) {
          const e = fresh(image);
          if (e === undefined) continue;
          entries[image.path] = e.slot < 0 ? e : { ...e, slot: append(await reader.slot(e.slot)) };
        }
      } finally {
        reader.close();
      }
    }
    // 2. the rest, decoded `concurrency` at a time
    const started = performance.now();
    bar?.start(stale.length, 0, { rate: "-" });
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < stale.length) {
        const image = stale[next++];
        const meta = { size: image.size, mtimeMs: image.mtimeMs };
        try {
          const file = await Deno.readFile(joinPath(dir, image.path));
          const pixels = await decodeImage(file, image.path, size);
          entries[image.path] = { ...meta, slot: append(pixels) };
        } catch (error) {
          if (!(error instanceof ImageDecodeError)) throw error;
          entries[image.path] = { ...meta, slot: -1, reason: error.reason };
        }
        done++;
        const seconds = (performance.now() - started) / 1000;
        bar?.update(done, { rate: seconds > 0 ? (done / seconds).toFixed(0) : "-" });
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, stale.length) }, worker));
    await writing;
    const json = new TextEncoder().encode(JSON.stringify({ magic: MAGIC, settings, entries }));
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setBigUint64(0, BigInt(json.length), true);
    await writeAll(out, json);
    await writeAll(out, tail);
    out.close();
    await Deno.rename(temporary, path);
  } catch (error) {
    try {
      out.close();
    } catch { /* closed already */ }
    await Deno.remove(temporary).catch(() => {});
    throw error;
  } finally {
    bar?.stop();
  }
  return { magic: MAGIC, settings, entries };
}

/** Reads images out of a cache file by slot. */
class CacheReader {
  #file: Deno.FsFile | null = null;
  constructor(readonly path: string, readonly bytes: number) {}

  async slot(slot: number): Promise<Uint8Array> {
    this.#file ??= await Deno.open(this.path, { read: true });
    const buf = new Uint8Array(this.bytes);
    const got = await readAt(this.#file, slot * this.bytes, buf);
    if (got !== buf.length) {
      throw new ImageFolderError(`${this.path}: the image cache is truncated: delete it`);
    }
    return buf;
  }

  /** Reads the slots in `wanted` (slot -> output positions) into `pixels`, in file order. */
  async readInto(wanted: Map<number, number[]>, pixels: Uint8Array): Promise<void> {
    const file = await Deno.open(this.path, { read: true });
    try {
      const buf = new Uint8Array(this.bytes);
      for (const slot of [...wanted.keys()].sort((a, b) => a - b)) {
        const got = await readAt(file, slot * this.bytes, buf);
        if (got !== buf.length) {
          throw new ImageFolderError(`${this.path}: the image cache is truncated: delete it`);
        }
        for (const k of wanted.get(slot)!) pixels.set(buf, k * this.bytes);
      }
    } finally {
      file.close();
    }
  }

  close(): void {
    this.#file?.close();
    this.#file = null;
  }
}

class FolderSplit implements ImageFolderSplit {
  readonly length: number;
  readonly #reader: CacheReader;
  readonly #slots: Int32Array;
  readonly #labels: Int32Array | null;

  constructor(
    reader: CacheReader,
    readonly imageSize: number,
    readonly classNames: readonly string[],
    readonly paths: readonly string[],
    slots: Int32Array,
    labels: Int32Array | null,
  ) {
    this.#reader = reader;
    this.#slots = slots;
    this.#labels = labels;
    this.length = slots.length;
  }

  labels(): Int32Array | null {
    return this.#labels?.slice() ?? null;
  }

  async read(indices: ArrayLike<number>): Promise<ImageBatch> {
    const n = indices.length;
    const pixels = new Uint8Array(n * this.imageSize * this.imageSize * 3);
    const labels = this.#labels === null ? null : new Int32Array(n);
    const wanted = new Map<number, number[]>();
    for (let k = 0; k < n; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.length) {
        throw new RangeError(
          argumentMessage(
            "ImageFolderSplit.read()",
            `indices[${k}] is ${show(i)}`,
            `an integer in 0..${this.length - 1}`,
          ),
        );
      }
      if (labels !== null) labels[k] = this.#labels![i];
      const slot = this.#slots[i];
      const slots = wanted.get(slot);
      if (slots === undefined) wanted.set(slot, [k]);
      else slots.push(k);
    }
    if (n > 0) await this.#reader.readInto(wanted, pixels);
    return { pixels, labels };
  }
}

import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { fileSize, joinPath, readAt } from "./_fs.ts";
import { STL10FormatError } from "./stl10_format_error.ts";
import { STL10_IMAGE_SIZE, stl10ToHWC } from "./stl10_layout.ts";
import type { ImageBatch, ImageSource } from "./image_source.ts";

export type { ImageBatch, ImageSource };

/** The splits of STL10, as torchvision names them. */
export type STL10Split = "train" | "test" | "unlabeled" | "train+unlabeled";

/** Images and labels returned by {@linkcode STL10Dataset.read} (an {@linkcode ImageBatch}). */
export type STL10Batch = ImageBatch;

/** An opened STL10 split: random access by file offset with a bounded in-memory cache. */
export interface STL10Dataset extends ImageSource {
  /** The folder that holds the files. */
  readonly dir: string;
  /** The split. */
  readonly split: STL10Split;
  /** Image side in pixels (96 for STL10). */
  readonly imageSize: number;
  /** Class names from `class_names.txt` (STL10's ten names if the file is absent). */
  readonly classNames: string[];
  /** All labels of the split in file order (a copy), or `null` for `unlabeled`. */
  labels(): Int32Array | null;
  /**
   * The ten predefined training folds of `fold_indices.txt` (0-based indices into `train`),
   * or `null` when the file is absent.
   */
  readonly foldIndices: number[][] | null;
  /** Number of images currently cached. */
  readonly cachedImages: number;
}

/** Options of {@linkcode openSTL10}. */
export interface OpenSTL10Options {
  /** Most decoded images kept in memory (least recently used are dropped); 0 disables. Default 1024. */
  cacheSize?: number;
}

/** STL10's class names, used when `class_names.txt` is absent. */
export const STL10_CLASS_NAMES: readonly string[] = Object.freeze([
  "airplane",
  "bird",
  "car",
  "cat",
  "deer",
  "dog",
  "horse",
  "monkey",
  "ship",
  "truck",
]);

const SPLITS: readonly STL10Split[] = ["train", "test", "unlabeled", "train+unlabeled"];
const MANUAL_HINT = "expected an stl10_binary folder: run `deno task download -- --dir DIR` " +
  "(then use DIR/stl10_binary) or `deno task demo-data -- --out DIR`";

interface Part {
  path: string;
  count: number;
  labels: Int32Array | null;
}

async function readImageSize(dir: string): Promise<number> {
  // Non-standard: demo data sets generated with another image size record it here.
  const path = joinPath(dir, "image_size.txt");
  const text = (await nullIfMissing(Deno.readTextFile(path)))?.trim();
  if (text === undefined) return STL10_IMAGE_SIZE;
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1) {
    throw new STL10FormatError(`${path} holds "${text}": expected a positive integer`);
  }
  return size;
}

async function openPart(
  dir: string,
  name: string,
  labelled: boolean,
  imageBytes: number,
  classCount: number,
): Promise<Part> {
  const path = joinPath(dir, `${name}_X.bin`);
  const size = await fileSize(path);
  if (size === null) throw new Deno.errors.NotFound(`missing file ${path}: ${MANUAL_HINT}`);
  if (size % imageBytes !== 0) {
    throw new STL10FormatError(
      `${path}: size ${size} bytes is not a multiple of ${imageBytes} bytes per image ` +
        `(truncated or not an STL10 image file)`,
    );
  }
  const count = size / imageBytes;
  if (!labelled) return { path, count, labels: null };
  const yPath = joinPath(dir, `${name}_y.bin`);
  const raw = await nullIfMissing(Deno.readFile(yPath));
  if (raw === null) throw new Deno.errors.NotFound(`missing file ${yPath}: ${MANUAL_HINT}`);
  if (raw.length !== count) {
    throw new STL10FormatError(
      `${path} holds ${count} images but ${yPath} holds ${raw.length} labels; expected equal ` +
        `counts${count < raw.length ? ` (${path} looks truncated)` : ""}`,
    );
  }
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = raw[i];
    if (v < 1 || v > classCount) {
      throw new STL10FormatError(`${yPath}: label ${v} at index ${i} is outside 1..${classCount}`);
    }
    labels[i] = v - 1;
  }
  return { path, count, labels };
}

async function readClassNames(dir: string): Promise<string[]> {
  const text = await nullIfMissing(Deno.readTextFile(joinPath(dir, "class_names.txt")));
  if (text === null) return [...STL10_CLASS_NAMES];
  return text.split(/\r?\n/).map((s) => s.trim()).filter((s) => s.length > 0);
}

async function readFolds(dir: string, trainCount: number | null): Promise<number[][] | null> {
  const path = joinPath(dir, "fold_indices.txt");
  const text = await nullIfMissing(Deno.readTextFile(path));
  if (text === null) return null;
  const folds = text.split(/\r?\n/).filter((l) => l.trim().length > 0).map((line, f) =>
    line.trim().split(/\s+/).map((s) => {
      const v = Number(s);
      if (!Number.isInteger(v) || v < 0 || (trainCount !== null && v >= trainCount)) {
        throw new STL10FormatError(
          `${path}: fold ${f} holds "${s}", expected 0-based indices into train` +
            (trainCount !== null ? ` (0..${trainCount - 1})` : ""),
        );
      }
      return v;
    })
  );
  return folds;
}

/**
 * Opens one split of an `stl10_binary` folder (the official files, or demo data in the same
 * format). Only the label files are read at once; `read()` fetches just the requested images
 * by file offset (sorted, consecutive images in one read), so the 2.76 GB `unlabeled_X.bin`
 * is never loaded whole. Decoded images are kept in a bounded LRU cache.
 *
 * Errors name the file and the problem: a missing file (`Deno.errors.NotFound`), a size that
 * is not a multiple of 27,648 bytes, image and label counts that differ, a label outside
 * 1..10 (or 1..the number of names in `class_names.txt`) ({@linkcode STL10FormatError}), and
 * a file truncated after opening
 * ({@linkcode STL10FormatError} on `read`).
 *
 * @param dir The `stl10_binary` folder (holding `train_X.bin`, ...).
 * @param split `"train"`, `"test"`, `"unlabeled"` or `"train+unlabeled"` (train first, then
 * unlabeled with label -1, as torchvision).
 * @param options Cache size.
 * @returns The opened split.
 *
 * @example Read two images of a tiny data set
 * ```ts
 * import { generateDemoData, openSTL10 } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 2, testPerClass: 1, unlabeled: 4 });
 * const train = await openSTL10(dir, "train");
 * strictEqual(train.length, 20);
 * const { pixels, labels } = await train.read([3, 0]);
 * strictEqual(pixels.length, 2 * 96 * 96 * 3);
 * strictEqual(labels![0], train.labels()![3]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function openSTL10(
  dir: string,
  split: STL10Split,
  options: OpenSTL10Options = {},
): Promise<STL10Dataset> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(argumentMessage("openSTL10()", `dir is ${show(dir)}`, "a folder path"));
  }
  if (!SPLITS.includes(split)) {
    throw new TypeError(
      argumentMessage(
        "openSTL10()",
        `split is ${show(split)}`,
        `one of ${SPLITS.map(show).join(", ")}`,
      ),
    );
  }
  const cacheSize = options.cacheSize ?? 1024;
  checkInteger("openSTL10()", "options.cacheSize", cacheSize, { min: 0 });
  const imageSize = await readImageSize(dir);
  const imageBytes = 3 * imageSize * imageSize;
  const classNames = await readClassNames(dir);
  // Labels run 1..(classes in class_names.txt), else STL10's ten.
  const classCount = classNames.length > 0 ? classNames.length : STL10_CLASS_NAMES.length;
  const parts: Part[] = [];
  if (split === "train" || split === "train+unlabeled") {
    parts.push(await openPart(dir, "train", true, imageBytes, classCount));
  }
  if (split === "test") parts.push(await openPart(dir, "test", true, imageBytes, classCount));
  if (split === "unlabeled" || split === "train+unlabeled") {
    const p = await openPart(dir, "unlabeled", false, imageBytes, classCount);
    if (split === "train+unlabeled") p.labels = new Int32Array(p.count).fill(-1);
    parts.push(p);
  }
  const trainCount = split === "train" || split === "train+unlabeled" ? parts[0].count : null;
  const foldIndices = await readFolds(dir, trainCount);
  return new STL10SplitReader(dir, split, imageSize, classNames, foldIndices, parts, cacheSize);
}

/** Most images read in one `read` call on a run of consecutive images. */
const MAX_RUN = 256;

/** Concurrent reads per `read` call (each on its own file handle). */
const READERS = 4;

class STL10SplitReader implements STL10Dataset {
  readonly length: number;
  readonly #parts: Part[];
  readonly #starts: number[];
  readonly #labels: Int32Array | null;
  readonly #cache = new Map<number, Uint8Array>();
  readonly #cacheSize: number;

  constructor(
    readonly dir: string,
    readonly split: STL10Split,
    readonly imageSize: number,
    readonly classNames: string[],
    readonly foldIndices: number[][] | null,
    parts: Part[],
    cacheSize: number,
  ) {
    this.#parts = parts;
    this.#cacheSize = cacheSize;
    this.#starts = [];
    let n = 0;
    for (const p of parts) {
      this.#starts.push(n);
      n += p.count;
    }
    this.length = n;
    if (parts.every((p) => p.labels !== null)) {
      this.#labels = new Int32Array(n);
      parts.forEach((p, i) => this.#labels!.set(p.labels!, this.#starts[i]));
    } else {
      this.#labels = null;
    }
  }

  get cachedImages(): number {
    return this.#cache.size;
  }

  labels(): Int32Array | null {
    return this.#labels === null ? null : this.#labels.slice();
  }

  async read(indices: ArrayLike<number>): Promise<STL10Batch> {
    const n = indices.length;
    const bytes = 3 * this.imageSize * this.imageSize;
    const pixels = new Uint8Array(n * bytes);
    const labels = this.#labels === null ? null : new Int32Array(n);
    // index -> output slots that want it (repeats allowed)
    const wanted = new Map<number, number[]>();
    for (let k = 0; k < n; k++) {
      const idx = indices[k];
      if (!Number.isInteger(idx) || idx < 0 || idx >= this.length) {
        throw new RangeError(
          argumentMessage(
            "STL10Dataset.read()",
            `indices[${k}] is ${show(idx)}`,
            `an integer in 0..${this.length - 1} (${this.dir} ${this.split})`,
          ),
        );
      }
      if (labels !== null) labels[k] = this.#labels![idx];
      const hit = this.#cache.get(idx);
      if (hit !== undefined) {
        // refresh LRU position
        this.#cache.delete(idx);
        this.#cache.set(idx, hit);
        pixels.set(hit, k * bytes);
        continue;
      }
      const slots = wanted.get(idx);
      if (slots === undefined) wanted.set(idx, [k]);
      else slots.push(k);
    }
    if (wanted.size > 0) await this.#fetch(wanted, pixels, bytes);
    return { pixels, labels };
  }

  async #fetch(wanted: Map<number, number[]>, pixels: Uint8Array, bytes: number): Promise<void> {
    const sorted = Int32Array.from(wanted.keys()).sort();
    // runs of consecutive indices inside one file, each read with one seek + read
    const runs: { part: number; from: number; length: number }[] = [];
    let pi = 0;
    for (let i = 0; i < sorted.length;) {
      while (sorted[i] >= this.#starts[pi] + this.#parts[pi].count) pi++;
      const end = this.#starts[pi] + this.#parts[pi].count;
      let j = i + 1;
      while (
        j < sorted.length && j - i < MAX_RUN && sorted[j] === sorted[j - 1] + 1 && sorted[j] < end
      ) {
        j++;
      }
      runs.push({ part: pi, from: i, length: j - i });
      i = j;
    }
    // a few readers in parallel, each with its own handles (no shared file position)
    let next = 0;
    const worker = async (): Promise<void> => {
      const handles = new Map<number, Deno.FsFile>();
      let raw = new Uint8Array(0);
      let hwc = new Uint8Array(0);
      try {
        while (next < runs.length) {
          const { part: p, from, length } = runs[next++];
          const part = this.#parts[p];
          let file = handles.get(p);
          if (file === undefined) {
            file = await Deno.open(part.path, { read: true });
            handles.set(p, file);
          }
          if (raw.length < length * bytes) {
            raw = new Uint8Array(length * bytes);
            hwc = new Uint8Array(length * bytes);
          }
          const first = sorted[from] - this.#starts[p];
          const buf = raw.subarray(0, length * bytes);
          const got = await readAt(file, first * bytes, buf);
          if (got !== buf.length) {
            throw new STL10FormatError(
              `${part.path} is truncated: expected ${buf.length} bytes at offset ` +
                `${first * bytes} (images ${first}..${first + length - 1} of ${part.count}), ` +
                `got ${got}`,
            );
          }
          stl10ToHWC(buf, length, this.imageSize, hwc);
          for (let r = 0; r < length; r++) {
            const idx = sorted[from + r];
            const img = hwc.subarray(r * bytes, (r + 1) * bytes);
            for (const k of wanted.get(idx)!) pixels.set(img, k * bytes);
            this.#remember(idx, img);
          }
        }
      } finally {
        for (const f of handles.values()) f.close();
      }
    };
    const n = Math.min(READERS, runs.length);
    await Promise.all(Array.from({ length: n }, worker));
  }

  #remember(idx: number, img: Uint8Array): void {
    if (this.#cacheSize === 0) return;
    if (this.#cache.size >= this.#cacheSize) {
      // Map iterates in insertion order: the first key is the least recently used
      this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(idx, img.slice());
  }
}

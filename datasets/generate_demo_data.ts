import { checkInteger, checkNumber } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED, type Rng } from "@simclr/internal/random";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { joinPath } from "./_fs.ts";
import { STL10_IMAGE_SIZE } from "./stl10_layout.ts";
import { writeClassNames, writeSTL10Split } from "./write_stl10.ts";

/** The ten classes of the demo data set; they differ in shape and structure, not colour. */
export const DEMO_CLASS_NAMES: readonly string[] = Object.freeze([
  "circle",
  "square",
  "triangle",
  "cross",
  "ring",
  "star",
  "horizontal_stripes",
  "vertical_stripes",
  "checkerboard",
  "dots",
]);

/** Options of {@linkcode generateDemoData}. */
export interface DemoDataOptions {
  /** Seed; the same seed and options give the same bytes. Default 42. */
  seed?: number;
  /** Labelled training images per class. Default 50. */
  trainPerClass?: number;
  /** Test images per class. Default 50. */
  testPerClass?: number;
  /** Unlabeled images (classes drawn at random). Default 2000. */
  unlabeled?: number;
  /** Image side in pixels. Default 96 (STL10's); other sizes also write `image_size.txt`. */
  imageSize?: number;
  /** Standard deviation of the per-pixel noise, in [0, 1] intensity units. Default 0.06. */
  noise?: number;
}

/** What {@linkcode generateDemoData} wrote. */
export interface DemoDataInfo {
  /** The folder, readable with {@linkcode openSTL10}. */
  dir: string;
  /** Number of training, test and unlabeled images. */
  counts: { train: number; test: number; unlabeled: number };
  /** Image side in pixels. */
  imageSize: number;
  /** Class names, as written to `class_names.txt`. */
  classNames: string[];
}

const luma = (c: number[]): number => 0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2];

/**
 * Signed distance-like value of class `cls` at local coordinates `(u, v)` (in units of the
 * shape's radius): negative inside the shape.
 */
function shapeDistance(cls: number, u: number, v: number): number {
  const au = Math.abs(u), av = Math.abs(v);
  const box = Math.max(au, av);
  switch (cls) {
    case 0: // circle
      return Math.hypot(u, v) - 1;
    case 1: // square
      return box - 0.8;
    case 2: // equilateral triangle, inradius 0.45
      return Math.max(-v, 0.866 * au + 0.5 * v) - 0.45;
    case 3: // cross
      return Math.min(Math.max(au - 0.95, av - 0.28), Math.max(au - 0.28, av - 0.95));
    case 4: // ring
      return Math.abs(Math.hypot(u, v) - 0.72) - 0.2;
    case 5: { // five-pointed star
      const s = 0.5 + 0.5 * Math.cos(5 * Math.atan2(v, u));
      return Math.hypot(u, v) - (0.38 + 0.62 * s * s);
    }
    case 6: // horizontal stripes in a square patch
      return Math.max(box - 0.9, -Math.sin(v * 3 * Math.PI) / (3 * Math.PI));
    case 7: // vertical stripes
      return Math.max(box - 0.9, -Math.sin(u * 3 * Math.PI) / (3 * Math.PI));
    case 8: // checkerboard
      return Math.max(
        box - 0.9,
        -Math.sin(u * 2.5 * Math.PI) * Math.sin(v * 2.5 * Math.PI) / (2.5 * Math.PI),
      );
    default: { // 9: grid of dots
      const gu = u * 2.2 - Math.round(u * 2.2), gv = v * 2.2 - Math.round(v * 2.2);
      return Math.max(box - 0.95, Math.hypot(gu, gv) / 2.2 - 0.13);
    }
  }
}

/** Renders one image of class `cls` into `out` (HWC bytes) at byte offset `off`. */
function renderImage(
  cls: number,
  rng: Rng,
  size: number,
  noise: number,
  out: Uint8Array,
  off: number,
): void {
  const bg0 = [rng.float(), rng.float(), rng.float()];
  // A gentle gradient: a strong one would be a cue that survives cropping and colour jitter,
  // letting contrastive training tell images apart without looking at the shape.
  const bg1 = bg0.map((v) => Math.min(1, Math.max(0, v + rng.uniform(-0.15, 0.15))));
  const bgMean = [0, 1, 2].map((c) => (bg0[c] + bg1[c]) / 2);
  let fg = [rng.float(), rng.float(), rng.float()];
  for (let t = 0; t < 32 && Math.abs(luma(fg) - luma(bgMean)) < 0.3; t++) {
    fg = [rng.float(), rng.float(), rng.float()];
  }
  const phi = rng.uniform(0, 2 * Math.PI);
  const gx = Math.cos(phi) / size, gy = Math.sin(phi) / size;
  const cx = size * rng.uniform(0.35, 0.65), cy = size * rng.uniform(0.35, 0.65);
  const r = size * rng.uniform(0.26, 0.38);
  const aspect = rng.uniform(0.85, 1.15);
  // stripes keep their orientation (within +-17 degrees); other classes rotate freely
  const theta = cls === 6 || cls === 7 ? rng.uniform(-0.3, 0.3) : rng.uniform(0, 2 * Math.PI);
  const ct = Math.cos(theta), st = Math.sin(theta);
  const amp = noise * 255 * Math.sqrt(6); // sum of two uniforms - 1 has std 1/sqrt(6)
  for (let y = 0; y < size; y++) {
    const dy = y + 0.5 - cy;
    for (let x = 0; x < size; x++) {
      const dx = x + 0.5 - cx;
      const u = (ct * dx + st * dy) / (r * aspect);
      const v = (-st * dx + ct * dy) / r;
      const d = shapeDistance(cls, u, v) * r; // ~pixels
      const a = d <= -0.5 ? 1 : d >= 0.5 ? 0 : 0.5 - d;
      const t = Math.min(1, Math.max(0, 0.5 + (dx * gx + dy * gy) * 1.5));
      let o = off + (y * size + x) * 3;
      for (let c = 0; c < 3; c++) {
        const bg = bg0[c] + (bg1[c] - bg0[c]) * t;
        const val = (bg + (fg[c] - bg) * a) * 255 + (rng.float() + rng.float() - 1) * amp;
        out[o++] = val <= 0 ? 0 : val >= 255 ? 255 : val + 0.5;
      }
    }
  }
}

function renderSplit(
  labels: Int32Array,
  seed: number,
  stream: number,
  size: number,
  noise: number,
): Uint8Array {
  const bytes = 3 * size * size;
  const out = new Uint8Array(labels.length * bytes);
  for (let i = 0; i < labels.length; i++) {
    renderImage(labels[i], createRng(seed, stream, i), size, noise, out, i * bytes);
  }
  return out;
}

function balancedLabels(perClass: number, rng: Rng): Int32Array {
  const labels = new Int32Array(perClass * 10);
  for (let i = 0; i < labels.length; i++) labels[i] = i % 10;
  rng.shuffle(labels);
  return labels;
}

/** The demo data set in memory, as {@linkcode renderDemoData} makes it. */
export interface DemoData {
  /** Labelled training images: HWC bytes, `imageSize * imageSize * 3` per image, and labels. */
  train: { pixels: Uint8Array; labels: Int32Array };
  /** Test images and labels. */
  test: { pixels: Uint8Array; labels: Int32Array };
  /** Unlabeled images, and the classes they were drawn from (not written to the files). */
  unlabeled: { pixels: Uint8Array; labels: Int32Array };
  /** Ten folds of training indices, as STL10's `fold_indices.txt`. */
  folds: Int32Array[];
  /** Image side in pixels. */
  imageSize: number;
  /** Class names ({@linkcode DEMO_CLASS_NAMES}). */
  classNames: string[];
}

/**
 * Makes the demo data set in memory, touching no file: the pixels and labels that
 * {@linkcode generateDemoData} writes (same seed and options, same bytes), e.g. for a browser.
 *
 * @param options Seed, sizes, image size, noise.
 * @returns The splits' pixels and labels, the folds, the image size and the class names.
 *
 * @example
 * ```ts
 * import { renderDemoData } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const data = renderDemoData({ trainPerClass: 1, testPerClass: 1, unlabeled: 2, imageSize: 16 });
 * strictEqual(data.train.pixels.length, 10 * 16 * 16 * 3);
 * strictEqual(data.unlabeled.labels.length, 2);
 * ```
 */
export function renderDemoData(options: DemoDataOptions = {}): DemoData {
  return render("renderDemoData()", options);
}

function render(fn: string, options: DemoDataOptions): DemoData {
  const {
    seed = DEFAULT_SEED,
    trainPerClass = 50,
    testPerClass = 50,
    unlabeled = 2000,
    imageSize = STL10_IMAGE_SIZE,
    noise = 0.06,
  } = options;
  checkInteger(fn, "options.seed", seed);
  checkInteger(fn, "options.trainPerClass", trainPerClass, { min: 1 });
  checkInteger(fn, "options.testPerClass", testPerClass, { min: 1 });
  checkInteger(fn, "options.unlabeled", unlabeled, { min: 0 });
  checkInteger(fn, "options.imageSize", imageSize, { min: 8 });
  checkNumber(fn, "options.noise", noise, { min: 0, max: 1 });
  const rng = createRng(seed, 0xde70);
  const trainLabels = balancedLabels(trainPerClass, rng);
  const testLabels = balancedLabels(testPerClass, rng);
  const unlabeledLabels = Int32Array.from({ length: unlabeled }, () => rng.integer(0, 9));
  // ten folds of a fifth of the training images each, like STL10's 10 x 1000 of 5000
  const foldSize = Math.max(1, Math.floor(trainLabels.length / 5));
  const folds: Int32Array[] = [];
  for (let f = 0; f < 10; f++) {
    const order = Int32Array.from({ length: trainLabels.length }, (_, i) => i);
    rng.shuffle(order);
    folds.push(order.slice(0, foldSize));
  }
  const split = (labels: Int32Array, stream: number) => ({
    pixels: renderSplit(labels, seed, stream, imageSize, noise),
    labels,
  });
  return {
    train: split(trainLabels, 1),
    test: split(testLabels, 2),
    unlabeled: split(unlabeledLabels, 3),
    folds,
    imageSize,
    classNames: [...DEMO_CLASS_NAMES],
  };
}

/**
 * Generates a small data set in the STL10 binary format (`train_X.bin`, `train_y.bin`,
 * `test_X.bin`, `test_y.bin`, `unlabeled_X.bin`, `class_names.txt`, `fold_indices.txt`), so
 * {@linkcode openSTL10} reads it like the real one. Its ten classes ({@linkcode DEMO_CLASS_NAMES})
 * differ in shape and structure; position, scale, rotation, aspect, foreground and (gradient)
 * background colours and noise are random, so colour alone does not identify a class.
 * Labelled splits are balanced and shuffled; the output depends only on the seed and options.
 * Files are written to temporary names and renamed.
 *
 * @param dir Destination folder (created if missing).
 * @param options Seed, sizes, image size, noise.
 * @returns What was written.
 *
 * @example
 * ```ts
 * import { generateDemoData, openSTL10 } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const info = await generateDemoData(dir, { trainPerClass: 3, testPerClass: 2, unlabeled: 5 });
 * strictEqual(info.counts.train, 30);
 * strictEqual((await openSTL10(dir, "train+unlabeled")).length, 35);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function generateDemoData(
  dir: string,
  options: DemoDataOptions = {},
): Promise<DemoDataInfo> {
  const data = render("generateDemoData()", options);
  const opts = { imageSize: data.imageSize };
  await Deno.mkdir(dir, { recursive: true });
  await writeSTL10Split(dir, "train", data.train.pixels, data.train.labels, opts);
  await writeSTL10Split(dir, "test", data.test.pixels, data.test.labels, opts);
  await writeSTL10Split(dir, "unlabeled", data.unlabeled.pixels, null, opts);
  await writeClassNames(dir, DEMO_CLASS_NAMES);
  const lines = data.folds.map((fold) => Array.from(fold).join(" "));
  await writeFileAtomic(joinPath(dir, "fold_indices.txt"), lines.join("\n") + "\n");
  return {
    dir,
    counts: {
      train: data.train.labels.length,
      test: data.test.labels.length,
      unlabeled: data.unlabeled.labels.length,
    },
    imageSize: data.imageSize,
    classNames: data.classNames,
  };
}

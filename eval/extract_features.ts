// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import type { ImageSource } from "@simclr/datasets/image-source";
import { encodeInOrder, encodeSettings } from "./_encode.ts";
import type { EncodeImagesOptions, FeatureEncoder } from "./encode_images.ts";

export type { FeatureEncoder };

/** A labelled image split: any {@linkcode ImageSource} of `@simclr/datasets`. */
export type LabelledImageSource = ImageSource;

/** Options for {@linkcode extractFeatures}: {@linkcode encodeImages}'s, and a cache. */
export interface ExtractFeaturesOptions extends EncodeImagesOptions {
  /** Folder of the feature cache; with `cacheKey`, a second call reads the features back. */
  cacheDir?: string;
  /** Cache entry name, e.g. `<checkpoint sha256>-<split>-<imageSize>` (letters, digits, `._-`). */
  cacheKey?: string;
}

/** Features of a labelled split, sorted by label as the tutorial's `prepare_data_features`. */
export interface LabelledFeatures {
  /** Features, `[n, featureDim]` (the caller disposes them). */
  features: tf.Tensor2D;
  /** Label of each row, ascending. */
  labels: Int32Array;
}

/** What {@linkcode extractFeatures} returns: the features, their labels and their images. */
export interface ExtractedFeatures extends LabelledFeatures {
  /** The split's index of the image of each row (rows are sorted by label, not by index). */
  indices: Int32Array;
}

const MAGIC = "SIMCLRFEAT2";

/**
 * Encodes every image of a labelled split with a frozen encoder in evaluation mode, in batches
 * ({@linkcode encodeImages}), as the tutorial's `prepare_data_features`: images scaled to [0, 1] (`ToTensor`), resized to
 * the model's image size (antialiased as PIL's `Resize` unless `antialias` is false), normalised with mean 0.5 and std 0.5 (`Normalize((0.5,), (0.5,))`),
 * encoded, then sorted by label (stable). With `cacheDir` and `cacheKey` the features are
 * stored on disk (written to a temporary name, then renamed) and read back by later calls, so
 * probing several training-set sizes encodes once.
 *
 * @param encoder The encoder, called with `{ training: false }`.
 * @param dataset The split: its length and a `read(indices)` giving HWC uint8 pixels and labels.
 * @param options Batch size, image sizes, cache location and progress bar.
 * @returns The features `[n, featureDim]` and their labels, sorted by label, and the split's
 *   index of each row's image.
 *
 * @example Encode four images with a toy encoder (mean colour)
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { extractFeatures } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const size = 4;
 * const dataset = {
 *   length: 4,
 *   imageSize: size,
 *   classNames: [],
 *   labels: () => Int32Array.from([3, 2, 1, 0]),
 *   read(indices: ArrayLike<number>) {
 *     const pixels = new Uint8Array(indices.length * size * size * 3);
 *     Array.from(indices).forEach((i, b) => pixels.fill(i * 60, b * size * size * 3, (b + 1) * size * size * 3));
 *     return Promise.resolve({ pixels, labels: Int32Array.from(indices, (i) => 3 - i) });
 *   },
 * };
 * const encoder = { apply: (x: tf.Tensor4D) => tf.mean(x, [1, 2]) as tf.Tensor2D };
 * const { features, labels, indices } = await extractFeatures(encoder, dataset, {
 *   batchSize: 3,
 *   sourceSize: size,
 *   progress: false,
 * });
 * assert.deepEqual([...labels], [0, 1, 2, 3]);
 * assert.deepEqual([...indices], [3, 2, 1, 0]);
 * assert.equal(features.shape[1], 3);
 * // Image 3 (value 180) has label 0: (180 / 255 - 0.5) / 0.5.
 * assert.ok(Math.abs(features.arraySync()[0][0] - (180 / 255 - 0.5) / 0.5) < 1e-6);
 * features.dispose();
 * ```
 */
export async function extractFeatures(
  encoder: FeatureEncoder,
  dataset: LabelledImageSource,
  options: ExtractFeaturesOptions = {},
): Promise<ExtractedFeatures> {
  const fn = "extractFeatures()";
  const { resize } = encodeSettings(fn, dataset, options);
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(argumentMessage(fn, `dataset has ${n} images`, "a non-empty split"));
  }
  let cachePath: string | undefined;
  if (options.cacheDir !== undefined || options.cacheKey !== undefined) {
    if (options.cacheDir === undefined || options.cacheKey === undefined) {
      throw new TypeError(
        argumentMessage(
          fn,
          `options.cacheDir is ${show(options.cacheDir)} and options.cacheKey is ${
            show(options.cacheKey)
          }`,
          "both or neither",
        ),
      );
    }
    if (!/^[A-Za-z0-9._-]+$/.test(options.cacheKey)) {
      throw new TypeError(
        argumentMessage(
          fn,
          `options.cacheKey is ${show(options.cacheKey)}`,
          'letters, digits, ".", "_" or "-"',
        ),
      );
    }
    cachePath = `${options.cacheDir}/${options.cacheKey}.features`;
    const cached = await readCache(cachePath, n, resize);
    if (cached) return cached;
  }

  const unlabelled = () =>
    new TypeError(argumentMessage(fn, "dataset has no labels", "a labelled split (train or test)"));
  if (typeof dataset.labels === "function" && dataset.labels() === null) throw unlabelled();
  const { features, dim, labels } = await encodeInOrder(fn, encoder, dataset, options);
  if (labels === null) throw unlabelled();
  // Stable sort by label, as the tutorial's `labels.sort()` on the encoded split.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => labels[a] - labels[b]);
  const sortedFeatures = new Float32Array(n * dim);
  const sortedLabels = new Int32Array(n);
  order.forEach((from, to) => {
    sortedFeatures.set(features.subarray(from * dim, (from + 1) * dim), to * dim);
    sortedLabels[to] = labels[from];
  });
  const indices = Int32Array.from(order);
  if (cachePath) await writeCache(cachePath, sortedFeatures, sortedLabels, indices, dim, resize);
  return { features: tf.tensor2d(sortedFeatures, [n, dim]), labels: sortedLabels, indices };
}

async function readCache(
  path: string,
  n: number,
  resize: string,
): Promise<ExtractedFeatures | undefined> {
  const bytes = await nullIfMissing(Deno.readFile(path));
  if (bytes === null) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(4, 4 + headerLength)));
  // stale (another split size, or resized otherwise: older files say nothing): encode again
  if (header.magic !== MAGIC || header.n !== n || header.resize !== resize) return undefined;
  const body = bytes.slice(4 + headerLength).buffer;
  const labels = new Int32Array(body, 0, n);
  const indices = new Int32Array(body, n * 4, n);
  const features = new Float32Array(body, n * 8, n * header.dim);
  return { features: tf.tensor2d(features, [n, header.dim]), labels, indices };
}

async function writeCache(
  path: string,
  features: Float32Array,
  labels: Int32Array,
  indices: Int32Array,
  dim: number,
  resize: string,
): Promise<void> {
  const header = new TextEncoder().encode(
    JSON.stringify({ magic: MAGIC, n: labels.length, dim, resize }),
  );
  const parts = [labels, indices, features].map((a) =>
    new Uint8Array(a.buffer, a.byteOffset, a.byteLength)
  );
  const bytes = new Uint8Array(4 + header.length + parts.reduce((sum, p) => sum + p.length, 0));
  new DataView(bytes.buffer).setUint32(0, header.length, true);
  bytes.set(header, 4);
  let offset = 4 + header.length;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.length;
  }
  const dir = path.slice(0, path.lastIndexOf("/"));
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(path, bytes);
}

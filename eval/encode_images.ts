// Copyright the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import type { ImageSource } from "@simclr/datasets/image-source";
import { encodeInOrder } from "./_encode.ts";

/** What {@linkcode encodeImages} encodes with: a frozen network, images to rows. */
export interface FeatureEncoder {
  /** Maps NHWC images to features `[batch, featureDim]`. */
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D;
}

/** Options of {@linkcode encodeImages}. */
export interface EncodeImagesOptions {
  /** Images encoded at once. Default 64 (the tutorial's). */
  batchSize?: number;
  /** Side of the stored images. Default `dataset.imageSize`, else 96 (STL10). */
  sourceSize?: number;
  /** Side the images are resized to (bilinear) before encoding. Default `sourceSize`. */
  imageSize?: number;
  /**
   * Antialias the resize when it shrinks (default true): PIL's bilinear filter, as
   * `transforms.Resize` on the tutorial's PIL images. `false`: the float-tensor bilinear
   * resize without antialias.
   */
  antialias?: boolean;
  /** Show a progress bar on stderr. Default: when stderr is a terminal. */
  progress?: boolean;
}

/** What {@linkcode encodeImages} returns, in the source's order. */
export interface EncodedImages {
  /** Row-major features, `length * dim` values: image `i`'s at `i * dim`. */
  features: Float32Array;
  /** Features per image. */
  dim: number;
  /** The source's labels (`null` when it has none). */
  labels: Int32Array | null;
  /** How the images were resized: `"none"`, `"antialias"` or `"bilinear"` (cache keys). */
  resize: "none" | "antialias" | "bilinear";
}

/**
 * Encodes every image of a source with a frozen network in evaluation mode, in batches and in
 * the source's order, as the tutorial's `prepare_data_features` prepares them: scaled to [0, 1]
 * (`ToTensor`), resized to `imageSize` (antialiased as PIL's `Resize` unless `antialias` is
 * false), normalised with mean 0.5 and std 0.5 (`Normalize((0.5,), (0.5,))`). Labelled or not.
 *
 * @param encoder The network, called with `{ training: false }`.
 * @param dataset The images: a length and `read(indices)` giving HWC uint8 pixels.
 * @param options Batch size, image sizes, resize and progress bar.
 * @returns The features in source order, their size, the labels and the resize done.
 *
 * @example The mean colour of three images, in their order
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { encodeImages } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const dataset = {
 *   length: 3,
 *   imageSize: 2,
 *   read(indices: ArrayLike<number>) {
 *     const pixels = new Uint8Array(indices.length * 12);
 *     Array.from(indices).forEach((i, b) => pixels.fill(255 * (i % 2), b * 12, (b + 1) * 12));
 *     return Promise.resolve({ pixels, labels: null });
 *   },
 * };
 * const encoder = { apply: (x: tf.Tensor4D) => tf.reshape(tf.mean(x, [1, 2, 3]), [-1, 1]) as tf.Tensor2D };
 * const { features, dim, labels } = await encodeImages(encoder, dataset, { batchSize: 2, progress: false });
 * assert.deepEqual([...features], [-1, 1, -1]);
 * assert.equal(dim, 1);
 * assert.equal(labels, null);
 * ```
 */
export async function encodeImages(
  encoder: FeatureEncoder,
  dataset: Pick<ImageSource, "length" | "read"> & { imageSize?: number },
  options: EncodeImagesOptions = {},
): Promise<EncodedImages> {
  return await encodeInOrder("encodeImages()", encoder, dataset, options);
}

// Copyright the simclr authors. MIT license.
// The encoding pass behind encodeImages() and extractFeatures(), and its checked settings
// (which extractFeatures() also keys its cache by).
import * as tf from "@tensorflow/tfjs-core";
// @ts-types="npm:@types/cli-progress@3.11.6"
import cliProgress from "cli-progress";
import { argumentMessage, checkBoolean, checkInteger } from "@simclr/internal/checks";
import { type Box, cropResize } from "@simclr/internal/crop-resize";
import { TUTORIAL_MEAN, TUTORIAL_STD } from "@simclr/internal/normalization";
import type { ImageSource } from "@simclr/datasets/image-source";
import type { EncodedImages, EncodeImagesOptions, FeatureEncoder } from "./encode_images.ts";
/** Settings of an encoding pass, checked, defaults filled in. */
export interface EncodeSettings {
  batchSize: number;
  sourceSize: number;
  imageSize: number;
  antialias: boolean;
  /** What the features depend on besides the encoder and the data (cache keys). */
  resize: "none" | "antialias" | "bilinear";
}

/** Checks `options` of `fn` against the source's stored side; see `EncodeImagesOptions`. */
export function encodeSettings(
  fn: string,
  dataset: { imageSize?: number },
  options: { batchSize?: number; sourceSize?: number; imageSize?: number; antialias?: boolean },
): EncodeSettings {
  const batchSize = checkInteger(fn, "options.batchSize", options.batchSize ?? 64, { min: 1 });
  const sourceSize = options.sourceSize ?? dataset.imageSize ?? 96;
  const imageSize = options.imageSize ?? sourceSize;
  checkInteger(fn, "options.sourceSize", sourceSize, { min: 1 });
  checkInteger(fn, "options.imageSize", imageSize, { min: 1 });
  const antialias = checkBoolean(fn, "options.antialias", options.antialias ?? true);
  const resize = imageSize === sourceSize ? "none" : antialias ? "antialias" : "bilinear";
  return { batchSize, sourceSize, imageSize, antialias, resize };
}

/** {@linkcode encodeImages} with `fn` naming the caller in errors. */
export async function encodeInOrder(
  fn: string,
  encoder: FeatureEncoder,
  dataset: Pick<ImageSource, "length" | "read"> & { imageSize?: number },
  options: EncodeImagesOptions = {},
): Promise<EncodedImages> {
  const { batchSize, sourceSize, imageSize, antialias, resize } = encodeSettings(
    fn,
    dataset,
    options,
  );
  const n = dataset.length;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(argumentMessage(fn, `dataset has ${n} images`, "a non-empty source"));
  }
  const showProgress = options.progress ?? Deno.stderr.isTerminal();
  const bar = showProgress
    ? new cliProgress.SingleBar({
      format: "encoding [{bar}] {value}/{total} images | {eta_formatted} left",
      hideCursor: true,
    }, cliProgress.Presets.shades_classic)
    : undefined;
  bar?.start(n, 0);
  const pixelsPerImage = sourceSize * sourceSize * 3;
  let features = new Float32Array(0);
  let dim = 0;
  let labels: Int32Array | null = null;
  try {
    for (let start = 0; start < n; start += batchSize) {
      const indices = Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
      const batch = await dataset.read(indices);
      if (batch.pixels.length !== indices.length * pixelsPerImage) {
        throw new RangeError(
          argumentMessage(
            fn,
            `dataset.read() returned ${batch.pixels.length} bytes for ${indices.length} images`,
            `${pixelsPerImage} each (${sourceSize}x${sourceSize}x3)`,
          ),
        );
      }
      const out = tf.tidy(() => {
        const raw = tf.tensor4d(batch.pixels, [indices.length, sourceSize, sourceSize, 3], "int32");
        let x: tf.Tensor4D = tf.div(tf.cast(raw, "float32"), 255); // [b, s, s, 3] in [0, 1]
        if (imageSize !== sourceSize) {
          const whole: Box = [0, 0, sourceSize, sourceSize];
          x = cropResize(x, indices.map(() => whole), imageSize, imageSize, { antialias }); // [b, i, i, 3]
        }
        const normalised: tf.Tensor4D = tf.div(tf.sub(x, TUTORIAL_MEAN[0]), TUTORIAL_STD[0]); // Normalize((0.5,), (0.5,))
        return encoder.apply(normalised, { training: false }); // [b, dim]
      });
      const values = await out.data() as Float32Array; // async: webgpu has no dataSync
      if (dim === 0) {
        dim = out.shape[1];
        features = new Float32Array(n * dim);
      }
      out.dispose();
      features.set(values, start * dim);
      if (batch.labels !== null) {
        labels ??= new Int32Array(n);
        labels.set(batch.labels, start);
      }
      bar?.update(start + indices.length);
    }
  } finally {
    bar?.stop();
  }
  return { features, dim, labels, resize };
}

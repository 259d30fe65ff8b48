// Internal argument checks and conversions shared by the augmentations. Every check takes the
// public function it runs for (`fn`, e.g. "simclrViews()") to name it in its message.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import type { ImageInput } from "./to_float_images.ts";

/** Throws unless `images` is a float32 NHWC tensor of rank 4 with 3 channels. */
export function checkImages(fn: string, images: tf.Tensor, name = "images"): void {
  checkImageShape(fn, images, name);
  if (images.dtype !== "float32") {
    throw new TypeError(
      argumentMessage(fn, `${name} has dtype ${images.dtype}`, "float32 in [0, 1]"),
    );
  }
}

/** Throws unless `images` is an NHWC tensor of rank 4 with 3 channels. */
export function checkImageShape(fn: string, images: tf.Tensor, name = "images"): void {
  if (!(images instanceof tf.Tensor)) {
    throw new TypeError(
      argumentMessage(fn, `${name} is ${show(images)}`, "a tf.Tensor4D [N, H, W, 3]"),
    );
  }
  if (images.rank !== 4) {
    throw new RangeError(
      argumentMessage(fn, `${name} has shape ${show(images.shape)}`, "rank 4, NHWC [N, H, W, 3]"),
    );
  }
  if (images.shape[3] !== 3) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} has ${images.shape[3]} channels (shape ${show(images.shape)})`,
        "3 (RGB, NHWC)",
      ),
    );
  }
}

/**
 * Throws unless `input` is an {@linkcode ImageInput}: a float32 or int32 NHWC tensor with 3
 * channels, or a pixel batch whose byte count fits its size and count.
 */
export function checkImageInput(fn: string, input: ImageInput, name = "images"): void {
  if (input instanceof tf.Tensor) {
    if (input.dtype === "int32") checkImageShape(fn, input, name);
    else checkImages(fn, input, name);
    return;
  }
  if (input === null || typeof input !== "object" || !(input.pixels instanceof Uint8Array)) {
    throw new TypeError(
      argumentMessage(
        fn,
        `${name} is ${show(input)}`,
        "a tf.Tensor4D or { pixels: Uint8Array, height, width }",
      ),
    );
  }
  const { pixels, height = 96, width = 96 } = input;
  for (const [key, value] of [["height", height], ["width", width]] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(
        argumentMessage(fn, `${name}.${key} is ${show(value)}`, "a positive integer"),
      );
    }
  }
  const perImage = height * width * 3;
  const count = pixels.length / perImage;
  if (!Number.isInteger(count) || (input.count !== undefined && input.count !== count)) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name}.pixels has ${pixels.length} bytes`,
        `${input.count ?? "a whole number of"} images of ${height}x${width}x3 = ${perImage} bytes`,
      ),
    );
  }
}

/**
 * Per-sample parameters as a `[B, 1, 1, 1]` float32 tensor (the caller disposes it or
 * creates it inside `tf.tidy`). Plain numbers are checked with `valid`; a tensor only for its
 * shape.
 */
export function perSample(
  fn: string,
  name: string,
  values: readonly number[] | tf.Tensor1D,
  batch: number,
  valid: (v: number) => boolean,
  expected: string,
): tf.Tensor4D {
  if (values instanceof tf.Tensor) {
    if (values.rank !== 1 || values.shape[0] !== batch) {
      throw new RangeError(
        argumentMessage(
          fn,
          `${name} has shape ${show(values.shape)}`,
          `a tf.Tensor1D of length ${batch} (one per image)`,
        ),
      );
    }
    return tf.reshape(tf.cast(values, "float32"), [batch, 1, 1, 1]);
  }
  if (!Array.isArray(values)) {
    throw new TypeError(
      argumentMessage(fn, `${name} is ${show(values)}`, "number[] or tf.Tensor1D"),
    );
  }
  if (values.length !== batch) {
    throw new RangeError(
      argumentMessage(fn, `${name} has length ${values.length}`, `${batch} (one per image)`),
    );
  }
  values.forEach((v, i) => {
    if (typeof v !== "number" || !valid(v)) {
      throw new RangeError(argumentMessage(fn, `${name}[${i}] is ${show(v)}`, expected));
    }
  });
  return tf.tensor4d(values as number[], [batch, 1, 1, 1], "float32");
}

/** Throws unless `range` is `[low, high]` with `lowest <= low <= high <= highest`. */
export function checkRange(
  fn: string,
  name: string,
  range: readonly [number, number],
  lowest: number,
  highest: number,
  strictLow = false,
): void {
  if (!Array.isArray(range) || range.length !== 2) {
    throw new TypeError(argumentMessage(fn, `${name} is ${show(range)}`, "a [min, max] pair"));
  }
  const [low, high] = range;
  const lowOk = strictLow ? low > lowest : low >= lowest;
  if (!(lowOk && low <= high && high <= highest)) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} is ${show(range)}`,
        `${lowest} ${strictLow ? "<" : "<="} min <= max${
          highest === Infinity ? "" : ` <= ${highest}`
        }`,
      ),
    );
  }
}

/** An output size: a positive integer (square) or `[height, width]`. */
export function outputSize(
  fn: string,
  size: number | readonly [number, number],
  name = "options.size",
): [number, number] {
  const [h, w] = typeof size === "number" ? [size, size] : size ?? [];
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} is ${show(size)}`,
        "a positive integer or [height, width] of positive integers",
      ),
    );
  }
  return [h, w];
}

/**
 * Throws unless `kernelSize` is an odd positive integer that reflect padding allows on
 * `height` x `width` images (`(kernelSize - 1) / 2` below both).
 */
export function checkKernelSize(
  fn: string,
  name: string,
  kernelSize: number,
  height: number,
  width: number,
): void {
  if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
    throw new RangeError(
      argumentMessage(fn, `${name} is ${show(kernelSize)}`, "an odd positive integer"),
    );
  }
  const pad = (kernelSize - 1) / 2;
  if (pad >= height || pad >= width) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} is ${show(kernelSize)}`,
        `an odd integer <= ${
          2 * Math.min(height, width) - 1
        } to reflect-pad ${height}x${width} images`,
      ),
    );
  }
}

/** Throws unless mean and std have 1 or 3 finite values and std has no zero. */
export function checkMeanStd(
  fn: string,
  mean: readonly number[],
  std: readonly number[],
  prefix = "",
): void {
  for (const [name, values] of [["mean", mean], ["std", std]] as const) {
    if (!Array.isArray(values) || (values.length !== 1 && values.length !== 3)) {
      throw new RangeError(
        argumentMessage(fn, `${prefix}${name} is ${show(values)}`, "1 or 3 numbers (per channel)"),
      );
    }
    values.forEach((v, i) => {
      if (!Number.isFinite(v) || (name === "std" && v === 0)) {
        throw new RangeError(
          argumentMessage(
            fn,
            `${prefix}${name}[${i}] is ${show(v)}`,
            `a finite number${name === "std" ? " other than 0" : ""}`,
          ),
        );
      }
    });
  }
}

/** The fixed settings of a view: output size, blur kernel size, normalization. */
export interface ViewSettings {
  size: number | readonly [number, number];
  blurKernelSize: number;
  mean: readonly number[];
  std: readonly number[];
}

/** Checks the settings under `options.` and returns the output `[height, width]`. */
export function checkViewSettings(fn: string, settings: ViewSettings): [number, number] {
  const [height, width] = outputSize(fn, settings.size);
  checkKernelSize(fn, "options.blurKernelSize", settings.blurKernelSize, height, width);
  checkMeanStd(fn, settings.mean, settings.std, "options.");
  return [height, width];
}

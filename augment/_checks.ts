// Internal argument checks and conversions shared by the augmentations.
import * as tf from "@tensorflow/tfjs-core";

/** Throws unless `images` is a float32 NHWC tensor of rank 4 with 3 channels. */
export function checkImages(images: tf.Tensor, name = "images"): void {
  checkImageShape(images, name);
  if (images.dtype !== "float32") {
    throw new TypeError(`${name} has dtype ${images.dtype}: expected float32 in [0, 1]`);
  }
}

/** Throws unless `images` is an NHWC tensor of rank 4 with 3 channels. */
export function checkImageShape(images: tf.Tensor, name = "images"): void {
  if (!(images instanceof tf.Tensor)) {
    throw new TypeError(`${name} is ${typeof images}: expected a tf.Tensor4D [N, H, W, 3]`);
  }
  if (images.rank !== 4) {
    throw new RangeError(
      `${name} has rank ${images.rank} (shape [${images.shape}]): expected rank 4, NHWC [N, H, W, 3]`,
    );
  }
  if (images.shape[3] !== 3) {
    throw new RangeError(
      `${name} has ${images.shape[3]} channels (shape [${images.shape}]): expected 3 (RGB, NHWC)`,
    );
  }
}

/**
 * Per-sample parameters as a `[B, 1, 1, 1]` float32 tensor (the caller disposes it or
 * creates it inside `tf.tidy`). Plain numbers are checked with `valid`; a tensor only for its
 * shape.
 */
export function perSample(
  name: string,
  values: readonly number[] | tf.Tensor1D,
  batch: number,
  valid: (v: number) => boolean,
  expected: string,
): tf.Tensor4D {
  if (values instanceof tf.Tensor) {
    if (values.rank !== 1 || values.shape[0] !== batch) {
      throw new RangeError(
        `${name} has shape [${values.shape}]: expected a tf.Tensor1D of length ${batch} (one per image)`,
      );
    }
    return tf.reshape(tf.cast(values, "float32"), [batch, 1, 1, 1]);
  }
  if (!Array.isArray(values)) {
    throw new TypeError(`${name} is ${typeof values}: expected number[] or tf.Tensor1D`);
  }
  if (values.length !== batch) {
    throw new RangeError(
      `${name} has length ${values.length}: expected ${batch} (one per image)`,
    );
  }
  values.forEach((v, i) => {
    if (typeof v !== "number" || !valid(v)) {
      throw new RangeError(`${name}[${i}] is ${v}: expected ${expected}`);
    }
  });
  return tf.tensor4d(values as number[], [batch, 1, 1, 1], "float32");
}

/** Throws unless `value` is a probability in [0, 1]. */
export function checkProbability(name: string, value: number): void {
  if (typeof value !== "number" || !(value >= 0 && value <= 1)) {
    throw new RangeError(`${name} is ${value}: expected a probability in [0, 1]`);
  }
}

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${name} is ${value}: expected an integer >= ${min}`);
  }
}

/** Throws unless `range` is `[low, high]` with `lowest <= low <= high <= highest`. */
export function checkRange(
  name: string,
  range: readonly [number, number],
  lowest: number,
  highest: number,
  strictLow = false,
): void {
  if (!Array.isArray(range) || range.length !== 2) {
    throw new TypeError(`${name} is ${range}: expected a [min, max] pair`);
  }
  const [low, high] = range;
  const lowOk = strictLow ? low > lowest : low >= lowest;
  if (!(lowOk && low <= high && high <= highest)) {
    throw new RangeError(
      `${name} is [${low}, ${high}]: expected ${lowest} ${
        strictLow ? "<" : "<="
      } min <= max <= ${highest}`,
    );
  }
}

/** An output size: a positive integer (square) or `[height, width]`. */
export function outputSize(size: number | readonly [number, number]): [number, number] {
  const [h, w] = typeof size === "number" ? [size, size] : size ?? [];
  if (!Number.isInteger(h) || !Number.isInteger(w) || h <= 0 || w <= 0) {
    throw new RangeError(
      `size is ${
        Array.isArray(size) ? `[${size}]` : size
      }: expected a positive integer or [height, width] of positive integers`,
    );
  }
  return [h, w];
}

/** Throws unless mean and std have 1 or 3 finite values and std has no zero. */
export function checkMeanStd(mean: readonly number[], std: readonly number[]): void {
  for (const [name, values] of [["mean", mean], ["std", std]] as const) {
    if (!Array.isArray(values) || (values.length !== 1 && values.length !== 3)) {
      throw new RangeError(
        `${name} is ${JSON.stringify(values)}: expected 1 or 3 numbers (per channel)`,
      );
    }
    values.forEach((v, i) => {
      if (!Number.isFinite(v) || (name === "std" && v === 0)) {
        throw new RangeError(
          `${name}[${i}] is ${v}: expected a finite number${name === "std" ? " other than 0" : ""}`,
        );
      }
    });
  }
}

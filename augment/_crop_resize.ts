// Internal: per-sample crop + bilinear resize as batched row gathers (rows, then columns of
// the transposed result).
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { expand } from "./_color.ts";

/** A crop box in pixels: `[top, left, height, width]`, as torchvision's `crop`. */
export type Box = readonly [number, number, number, number];

/**
 * Source taps of PyTorch's `upsample_bilinear2d` (align_corners=False, no antialias) along one
 * axis: output `o` reads crop pixels `i0`, `i1` with weights `1 - l`, `l`, where
 * `src = max((o + 0.5) * in / out - 0.5, 0)`, `i0 = floor(src)`, `i1 = min(i0 + 1, in - 1)`,
 * `l = src - i0`. Crop pixel `i` is image pixel `start + i` (or its mirror when `mirror`);
 * outside the image it is zero (torchvision's `crop` pads with 0), so its weight becomes 0.
 */
function taps(
  start: number,
  length: number,
  out: number,
  size: number,
  mirror: boolean,
  index0: Int32Array,
  index1: Int32Array,
  weight0: Float32Array,
  weight1: Float32Array,
  offset: number,
): void {
  const scale = Math.fround(length / out);
  for (let o = 0; o < out; o++) {
    const src = Math.max(Math.fround(Math.fround(scale * (o + 0.5)) - 0.5), 0);
    const i0 = Math.floor(src);
    const i1 = i0 < length - 1 ? i0 + 1 : i0;
    const l1 = Math.fround(src - i0);
    const a0 = start + i0;
    const a1 = start + i1;
    const in0 = a0 >= 0 && a0 < size;
    const in1 = a1 >= 0 && a1 < size;
    index0[offset + o] = in0 ? (mirror ? size - 1 - a0 : a0) : 0;
    index1[offset + o] = in1 ? (mirror ? size - 1 - a1 : a1) : 0;
    weight0[offset + o] = in0 ? 1 - l1 : 0;
    weight1[offset + o] = in1 ? l1 : 0;
  }
}

/**
 * Linear interpolation along the second axis of `[B, H, K]` (K = everything after H) with
 * per-image taps: `out[b, o] = w0[b, o] * x[b, i0[b, o]] + w1[b, o] * x[b, i1[b, o]]`, as
 * gathers of whole rows over the flattened batch (gather's batchDims is avoided: the wasm
 * backend mishandles it) and weights expanded by a matMul (tfjs-cpu broadcasts slowly).
 */
function interpolateRows(
  images: tf.Tensor3D,
  out: number,
  index0: Int32Array,
  index1: Int32Array,
  weight0: Float32Array,
  weight1: Float32Array,
): tf.Tensor3D {
  const [b, h, k] = images.shape;
  const flat = tf.reshape(images, [b * h, k]); // [B*H, K]
  const rows = (index: Int32Array, weight: Float32Array) => {
    // row r of image i is row i * H + r of `flat`
    const global = index.map((r, n) => Math.floor(n / out) * h + r);
    const gathered = tf.gather(flat, tf.tensor1d(global, "int32")); // [B*out, K]
    return tf.mul(gathered, tf.reshape(expand(tf.tensor1d(weight), b, k), [b * out, k]));
  };
  return tf.reshape(tf.add(rows(index0, weight0), rows(index1, weight1)), [b, out, k]);
}

/**
 * Crops `boxes[b]` out of image `b` (zero outside the image) and resizes it to
 * `[outHeight, outWidth]` bilinearly as torchvision's `resized_crop` on tensors
 * (antialias off). With `mirror[b]` the image is flipped horizontally before cropping.
 */
export function cropResize(
  images: tf.Tensor4D,
  boxes: readonly Box[],
  outHeight: number,
  outWidth: number,
  mirror?: readonly boolean[],
): tf.Tensor4D {
  const [b, height, width] = images.shape;
  const r0 = new Int32Array(b * outHeight), r1 = new Int32Array(b * outHeight);
  const rw0 = new Float32Array(b * outHeight), rw1 = new Float32Array(b * outHeight);
  const c0 = new Int32Array(b * outWidth), c1 = new Int32Array(b * outWidth);
  const cw0 = new Float32Array(b * outWidth), cw1 = new Float32Array(b * outWidth);
  for (let i = 0; i < b; i++) {
    const [top, left, h, w] = boxes[i];
    taps(top, h, outHeight, height, false, r0, r1, rw0, rw1, i * outHeight);
    taps(left, w, outWidth, width, mirror?.[i] ?? false, c0, c1, cw0, cw1, i * outWidth);
  }
  return tf.tidy(() => {
    const c = images.shape[3];
    // rows: [B, H, W*C] -> [B, outH, W*C]
    const rows = interpolateRows(
      tf.reshape(images, [b, height, width * c]),
      outHeight,
      r0,
      r1,
      rw0,
      rw1,
    );
    // columns: [B, outH, W, C] -> [B, W, outH*C] -> [B, outW, outH*C] -> [B, outH, outW, C]
    const transposed = tf.transpose(tf.reshape(rows, [b, outHeight, width, c]), [0, 2, 1, 3]);
    const across = tf.reshape(transposed, [b, width, outHeight * c]) as tf.Tensor3D;
    const columns = interpolateRows(across, outWidth, c0, c1, cw0, cw1);
    return tf.transpose(tf.reshape(columns, [b, outWidth, outHeight, c]), [0, 2, 1, 3]);
  });
}

/** Throws unless `box` is `[top, left, height, width]` of integers with positive size. */
export function checkBox(fn: string, name: string, box: Box): void {
  if (
    !Array.isArray(box) || box.length !== 4 || !box.every(Number.isInteger) || box[2] <= 0 ||
    box[3] <= 0
  ) {
    throw new RangeError(
      argumentMessage(
        fn,
        `${name} is ${show(box)}`,
        "integers [top, left, height, width] with height, width > 0",
      ),
    );
  }
}

/** Throws unless `boxes` holds `batch` integer boxes with positive height and width. */
export function checkBoxes(fn: string, boxes: readonly Box[], batch: number): void {
  if (!Array.isArray(boxes)) {
    throw new TypeError(
      argumentMessage(fn, `boxes is ${show(boxes)}`, "[top, left, height, width][]"),
    );
  }
  if (boxes.length !== batch) {
    throw new RangeError(
      argumentMessage(fn, `boxes has length ${boxes.length}`, `${batch} (one per image)`),
    );
  }
  boxes.forEach((box, i) => checkBox(fn, `boxes[${i}]`, box));
}

// Internal colour helpers shared by the adjustments and the view pipeline.
//
// tfjs-cpu runs broadcasting binary ops, `split`, `concat` and `tile` on the last axis through
// slow generic paths, and tfjs-wasm runs `concat` on the last axis slowly; so pixels are
// handled as `[N, 3]` matrices, channels are mixed or picked with small matMuls, and
// per-image or per-pixel scalars are expanded with `[R, 1] x [1, K]` matMuls (exact: one
// product by 1 per entry) before same-shape elementwise ops.
import * as tf from "@tensorflow/tfjs-core";

/** torchvision's luma weights (ITU-R 601-2, as in `rgb_to_grayscale`). */
const LUMA = [0.2989, 0.587, 0.114];

/** `values` `[R, 1]` repeated along a new last axis of length `k`: `[R, k]`. */
export function expand(values: tf.Tensor, k: number): tf.Tensor2D {
  return tf.matMul(tf.reshape(values, [-1, 1]), tf.ones([1, k]));
}

/** Per-image values `[B]` (any shape of B elements) expanded to `shape` `[B, ...]`. */
export function perImage(values: tf.Tensor, shape: number[]): tf.Tensor {
  const rest = shape.slice(1).reduce((a, b) => a * b, 1);
  return tf.reshape(expand(values, rest), shape);
}

/** Luma of `[B, H, W, 3]` images, shape `[B, H, W, 1]`. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    const gray = tf.matMul(tf.reshape(images, [-1, 3]), tf.tensor2d(LUMA, [3, 1])); // [N, 1]
    return tf.reshape(gray, [b, h, w, 1]);
  });
}

/** Luma of `[B, H, W, 3]` images in all three channels, `[B, H, W, 3]`. */
export function luma3(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const weights = tf.tensor2d(LUMA.flatMap((v) => [v, v, v]), [3, 3]);
    return tf.reshape(tf.matMul(tf.reshape(images, [-1, 3]), weights), images.shape);
  });
}

/** torchvision's `_blend`: `clamp(factor * a + (1 - factor) * b, 0, 1)`, all the same shape. */
export function blend(a: tf.Tensor, b: tf.Tensor, factors: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.add(tf.mul(factors, a), tf.mul(tf.sub(1, factors), b)), 0, 1)
  ) as tf.Tensor4D;
}

/** Per-image mean luma, `[B, 1]`, as `adjust_contrast` uses. */
export function meanLuma(images: tf.Tensor4D): tf.Tensor2D {
  return tf.tidy(() => tf.reshape(tf.mean(luma(images), [1, 2, 3]), [-1, 1]));
}

/** Column `k` of `[N, 3]` as `[N, 1]`, through a one-hot matMul (exact). */
function channel(pixels: tf.Tensor2D, k: number): tf.Tensor2D {
  return tf.matMul(pixels, tf.tensor2d([0, 1, 2].map((c) => (c === k ? 1 : 0)), [3, 1]));
}

/**
 * Rotates the hue of `[B, H, W, 3]` images by one shift per image (`[B]`, in turns), through
 * HSV as torchvision's `_rgb2hsv` / `_hsv2rgb` on float tensors.
 */
export function rotateHue(images: tf.Tensor4D, shifts: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    const x = tf.reshape(images, [-1, 3]) as tf.Tensor2D; // [N, 3], N = B*H*W
    const maxc = tf.max(x, 1, true); // [N, 1]
    const minc = tf.min(x, 1, true);
    const eqc = tf.equal(maxc, minc);
    const ones = tf.onesLike(maxc);
    const cr = tf.sub(maxc, minc);
    const s = tf.div(cr, tf.where(eqc, ones, maxc));
    const crDivisor = tf.where(eqc, ones, cr);
    // [rc, gc, bc] = (maxc - [r, g, b]) / crDivisor: [N, 3]
    const xc = tf.div(tf.sub(expand(maxc, 3), x), expand(crDivisor, 3));
    const hr = tf.matMul(xc, tf.tensor2d([0, -1, 1], [3, 1])); // bc - gc
    const hg = tf.add(tf.matMul(xc, tf.tensor2d([1, 0, -1], [3, 1])), 2); // 2 + rc - bc
    const hb = tf.add(tf.matMul(xc, tf.tensor2d([-1, 1, 0], [3, 1])), 4); // 4 + gc - rc
    const raw = tf.where(
      tf.equal(maxc, channel(x, 0)),
      hr,
      tf.where(tf.equal(maxc, channel(x, 1)), hg, hb),
    );
    const hue = tf.mod(
      tf.add(tf.mod(tf.add(tf.div(raw, 6), 1), 1), tf.reshape(expand(shifts, h * w), [-1, 1])),
      1,
    ); // [N, 1]
    // HSV -> RGB. torchvision picks v, q, p or t per sector of h * 6; the same values are
    // channel c = v - v * s * clamp(min(k, 4 - k), 0, 1) with k = (h * 6 + [5, 3, 1][c]) mod 6
    // (q, t = v (1 - s f), v (1 - s (1 - f)) are its ramps), in fewer ops.
    const n = x.shape[0];
    const h6 = tf.mul(expand(hue, 3), 6); // [N, 3]
    const offsets = tf.matMul(tf.ones([n, 1]), tf.tensor2d([5, 3, 1], [1, 3])); // [N, 3]
    const k = tf.mod(tf.add(h6, offsets), 6);
    const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
    const v = expand(maxc, 3);
    const out = tf.clipByValue(tf.sub(v, tf.mul(tf.mul(v, expand(s, 3)), ramp)), 0, 1);
    return tf.reshape(out, [b, h, w, 3]);
  });
}

/** `(images - mean) / std` per channel (1 or 3 values), as torchvision's `normalize`. */
export function normalizeChannels(
  images: tf.Tensor4D,
  mean: readonly number[],
  std: readonly number[],
): tf.Tensor4D {
  return tf.tidy(() => {
    if (mean.length === 1 && std.length === 1) return tf.div(tf.sub(images, mean[0]), std[0]);
    const pixels = tf.reshape(images, [-1, 3]); // [N, 3]
    const ones = tf.ones([pixels.shape[0], 1]);
    const row = (values: readonly number[]) => // [N, 3], each row the 3 values
      tf.matMul(ones, tf.tensor2d(values.length === 1 ? [...values, ...values, ...values] : [...values], [1, 3]));
    return tf.reshape(tf.div(tf.sub(pixels, row(mean)), row(std)), images.shape);
  });
}

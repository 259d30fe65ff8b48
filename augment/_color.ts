// Internal colour helpers shared by the adjustments and the view pipeline.
//
// tfjs-cpu runs broadcasting binary ops, `split`, `concat` and `tile` on the last axis through
// slow generic paths, and tfjs-wasm runs `concat` on the last axis slowly; so pixels are
// handled as `[B, P, 3]` (P pixels per image), channels are mixed or picked with small
// matMuls, and per-image or per-pixel scalars are expanded with `[R, 1] x [1, K]` matMuls
// (exact: one product by 1 per entry) before same-shape elementwise ops. On GPU backends the
// matMuls are batched per image (WebGPU limits a dispatch to 65535 tiles per dimension) and
// the expansions are plain broadcasts.
import * as tf from "@tensorflow/tfjs-core";

/** torchvision's luma weights (ITU-R 601-2, as in `rgb_to_grayscale`). */
const LUMA = [0.2989, 0.587, 0.114];

/**
 * Whether big row-by-matrix products run as one 2-D matMul (fastest on cpu and wasm, which
 * have no dispatch limits) rather than batched per image (needed on GPU backends).
 */
function flat(): boolean {
  const backend = tf.getBackend();
  return backend === "cpu" || backend === "wasm" || backend === "native";
}

/** `values` (`batch * R` elements, image-major) repeated `k` times each: `[batch, R, k]`. */
export function expand(values: tf.Tensor, batch: number, k: number): tf.Tensor3D {
  if (flat()) {
    const rows = tf.matMul(tf.reshape(values, [-1, 1]), tf.ones([1, k])); // [batch*R, k]
    return tf.reshape(rows, [batch, -1, k]);
  }
  // GPU backends broadcast natively
  return tf.mul(tf.reshape(values, [batch, -1, 1]), tf.ones([1, 1, k]));
}

/** Per-image values `[B]` (any shape of B elements) expanded to `shape` `[B, ...]`. */
export function perImage(values: tf.Tensor, shape: number[]): tf.Tensor {
  const rest = shape.slice(1).reduce((a, b) => a * b, 1);
  return tf.reshape(expand(values, shape[0], rest), shape);
}

/** `pixels` `[B, P, m]` times `weights` (`m x k`, row-major): `[B, P, k]`. */
function mix(pixels: tf.Tensor, weights: number[], k: number): tf.Tensor3D {
  const [b, p, m] = pixels.shape as [number, number, number];
  if (flat()) {
    const rows = tf.matMul(tf.reshape(pixels, [b * p, m]), tf.tensor2d(weights, [m, k]));
    return tf.reshape(rows, [b, p, k]);
  }
  return tf.matMul(pixels as tf.Tensor3D, tf.tensor3d(weights, [1, m, k]));
}

/** `[B, H, W, 3]` images as `[B, H*W, 3]`. */
function pixelsOf(images: tf.Tensor4D): tf.Tensor3D {
  const [b, h, w] = images.shape;
  return tf.reshape(images, [b, h * w, 3]);
}

/** Luma of `[B, H, W, 3]` images, shape `[B, H, W, 1]`. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    return tf.reshape(mix(pixelsOf(images), LUMA, 1), [b, h, w, 1]);
  });
}

/** Luma of `[B, H, W, 3]` images in all three channels, `[B, H, W, 3]`. */
export function luma3(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() =>
    tf.reshape(mix(pixelsOf(images), LUMA.flatMap((v) => [v, v, v]), 3), images.shape)
  );
}

/** torchvision's `_blend`: `clamp(factor * a + (1 - factor) * b, 0, 1)`, all the same shape. */
export function blend(a: tf.Tensor, b: tf.Tensor, factors: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.add(tf.mul(factors, a), tf.mul(tf.sub(1, factors), b)), 0, 1)
  ) as tf.Tensor4D;
}

/** Per-image mean luma, `[B]`, as `adjust_contrast` uses. */
export function meanLuma(images: tf.Tensor4D): tf.Tensor1D {
  return tf.tidy(() => tf.mean(luma(images), [1, 2, 3]));
}

/**
 * Rotates the hue of `[B, H, W, 3]` images by one shift per image (`[B]`, in turns), through
 * HSV as torchvision's `_rgb2hsv` / `_hsv2rgb` on float tensors.
 */
export function rotateHue(images: tf.Tensor4D, shifts: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    const x = pixelsOf(images); // [B, P, 3]
    const maxc = tf.max(x, 2, true); // [B, P, 1]
    const minc = tf.min(x, 2, true);
    const eqc = tf.equal(maxc, minc);
    const ones = tf.onesLike(maxc);
    const cr = tf.sub(maxc, minc);
    const s = tf.div(cr, tf.where(eqc, ones, maxc));
    const crDivisor = tf.where(eqc, ones, cr);
    // [rc, gc, bc] = (maxc - [r, g, b]) / crDivisor: [B, P, 3]
    const xc = tf.div(tf.sub(expand(maxc, b, 3), x), expand(crDivisor, b, 3));
    const hr = mix(xc, [0, -1, 1], 1); // bc - gc
    const hg = tf.add(mix(xc, [1, 0, -1], 1), 2); // 2 + rc - bc
    const hb = tf.add(mix(xc, [-1, 1, 0], 1), 4); // 4 + gc - rc
    const raw = tf.where(
      tf.equal(maxc, mix(x, [1, 0, 0], 1)),
      hr,
      tf.where(tf.equal(maxc, mix(x, [0, 1, 0], 1)), hg, hb),
    ); // [B, P, 1]
    const perPixelShift = tf.reshape(expand(shifts, b, h * w), [b, h * w, 1]);
    const hue = tf.mod(tf.add(tf.mod(tf.add(tf.div(raw, 6), 1), 1), perPixelShift), 1);
    // HSV -> RGB. torchvision picks v, q, p or t per sector of h * 6; the same values are
    // channel c = v - v * s * clamp(min(k, 4 - k), 0, 1) with k = (h * 6 + [5, 3, 1][c]) mod 6
    // (q, t = v (1 - s f), v (1 - s (1 - f)) are its ramps), in fewer ops.
    const h6 = tf.mul(expand(hue, b, 3), 6); // [B, P, 3]
    const offsets = mix(ones, [5, 3, 1], 3); // [B, P, 3]
    const k = tf.mod(tf.add(h6, offsets), 6);
    const ramp = tf.clipByValue(tf.minimum(k, tf.sub(4, k)), 0, 1);
    const v = expand(maxc, b, 3);
    const out = tf.clipByValue(tf.sub(v, tf.mul(tf.mul(v, expand(s, b, 3)), ramp)), 0, 1);
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
    const [b, h, w] = images.shape;
    const ones = tf.ones([b, h * w, 1]);
    const three = (
      values: readonly number[],
    ) => (values.length === 1 ? [0, 0, 0].map(() => values[0]) : [...values]);
    const means = mix(ones, three(mean), 3); // [B, P, 3], every row the means
    const stds = mix(ones, three(std), 3);
    return tf.reshape(tf.div(tf.sub(pixelsOf(images), means), stds), images.shape);
  });
}

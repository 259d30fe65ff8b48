// Internal colour helpers shared by the adjustments and the view pipeline.
import * as tf from "@tensorflow/tfjs-core";

/** torchvision's luma weights (ITU-R 601-2, as in `rgb_to_grayscale`). */
const LUMA = [0.2989, 0.587, 0.114];

/** Luma of `[B, H, W, 3]` images, shape `[B, H, W, 1]`. */
export function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(images, 3, 3); // 3 x [B, H, W, 1]
    return tf.add(tf.add(tf.mul(r, LUMA[0]), tf.mul(g, LUMA[1])), tf.mul(b, LUMA[2]));
  });
}

/** torchvision's `_blend`: `clamp(factor * a + (1 - factor) * b, 0, 1)`, factors `[B, 1, 1, 1]`. */
export function blend(a: tf.Tensor4D, b: tf.Tensor, factors: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() =>
    tf.clipByValue(tf.add(tf.mul(factors, a), tf.mul(tf.sub(1, factors), b)), 0, 1)
  );
}

/** Per-image mean luma, `[B, 1, 1, 1]`, as `adjust_contrast` uses. */
export function meanLuma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => tf.mean(luma(images), [1, 2, 3], true));
}

/** Picks `values[k]` where `index == k` (k = 0..5), elementwise. */
function select6(index: tf.Tensor, values: tf.Tensor[]): tf.Tensor {
  let out = values[5];
  for (let k = 4; k >= 0; k--) out = tf.where(tf.equal(index, k), values[k], out);
  return out;
}

/**
 * Rotates the hue of `[B, H, W, 3]` images by `shifts` (`[B, 1, 1, 1]`, in turns), through
 * HSV exactly as torchvision's `_rgb2hsv` / `_hsv2rgb` on float tensors.
 */
export function rotateHue(images: tf.Tensor4D, shifts: tf.Tensor): tf.Tensor4D {
  return tf.tidy(() => {
    const [r, g, b] = tf.split(images, 3, 3); // 3 x [B, H, W, 1]
    const maxc = tf.max(images, 3, true);
    const minc = tf.min(images, 3, true);
    const eqc = tf.equal(maxc, minc);
    const ones = tf.onesLike(maxc);
    const cr = tf.sub(maxc, minc);
    const s = tf.div(cr, tf.where(eqc, ones, maxc));
    const crDivisor = tf.where(eqc, ones, cr);
    const rc = tf.div(tf.sub(maxc, r), crDivisor);
    const gc = tf.div(tf.sub(maxc, g), crDivisor);
    const bc = tf.div(tf.sub(maxc, b), crDivisor);
    const isR = tf.equal(maxc, r);
    const notR = tf.logicalNot(isR);
    const isG = tf.equal(maxc, g);
    const hr = tf.mul(tf.cast(isR, "float32"), tf.sub(bc, gc));
    const hg = tf.mul(tf.cast(tf.logicalAnd(isG, notR), "float32"), tf.add(tf.sub(rc, bc), 2));
    const hb = tf.mul(
      tf.cast(tf.logicalAnd(tf.logicalNot(isG), notR), "float32"),
      tf.add(tf.sub(gc, rc), 4),
    );
    let h = tf.mod(tf.add(tf.div(tf.add(tf.add(hr, hg), hb), 6), 1), 1);
    h = tf.mod(tf.add(h, shifts), 1);
    // HSV -> RGB
    const v = maxc;
    const h6 = tf.mul(h, 6);
    const i = tf.floor(h6);
    const f = tf.sub(h6, i);
    const p = tf.clipByValue(tf.mul(v, tf.sub(1, s)), 0, 1);
    const q = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, f))), 0, 1);
    const t = tf.clipByValue(tf.mul(v, tf.sub(1, tf.mul(s, tf.sub(1, f)))), 0, 1);
    const sector = tf.mod(i, 6);
    return tf.concat([
      select6(sector, [v, q, p, p, t, v]),
      select6(sector, [t, v, v, q, p, p]),
      select6(sector, [p, p, t, v, v, q]),
    ], 3) as tf.Tensor4D;
  });
}

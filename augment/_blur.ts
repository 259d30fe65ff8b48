// Internal: per-sample separable convolution with reflect padding.
import * as tf from "@tensorflow/tfjs-core";

/**
 * torchvision's `_get_gaussian_kernel1d` for every sigma: `[B]` sigmas to `[B, k]` kernels
 * `exp(-0.5 (x / sigma)^2)` over `x = linspace(-(k-1)/2, (k-1)/2, k)`, normalised to sum 1.
 */
export function gaussianKernels(sigmas: tf.Tensor1D, kernelSize: number): tf.Tensor2D {
  return tf.tidy(() => {
    const half = (kernelSize - 1) / 2;
    const x = tf.reshape(tf.linspace(-half, half, kernelSize), [1, kernelSize]); // [1, k]
    const pdf = tf.exp(tf.mul(-0.5, tf.square(tf.div(x, tf.reshape(sigmas, [-1, 1]))))); // [B, k]
    return tf.div(pdf, tf.sum(pdf, 1, true));
  });
}

/**
 * Convolves each image with its own separable kernel (`kernels[b]` along both axes) after
 * reflect padding by `(k - 1) / 2`, as torchvision's `gaussian_blur` does with the outer
 * product of the 1-D kernel. The batch is folded into the channels of one depthwise conv.
 */
export function separableBlur(images: tf.Tensor4D, kernels: tf.Tensor2D): tf.Tensor4D {
  return tf.tidy(() => {
    const [b, h, w, c] = images.shape;
    const k = kernels.shape[1];
    const pad = (k - 1) / 2;
    const padded = tf.mirrorPad(images, [[0, 0], [pad, pad], [pad, pad], [0, 0]], "reflect");
    // [B, H+2p, W+2p, C] -> [H+2p, W+2p, B, C] -> [1, H+2p, W+2p, B*C]
    const folded = tf.reshape(tf.transpose(padded, [1, 2, 0, 3]), [
      1,
      h + 2 * pad,
      w + 2 * pad,
      b * c,
    ]) as tf.Tensor4D;
    // kernels [B, k] -> [B, C, k] -> [B*C, k] -> [k, B*C]: channel b*C + c uses kernels[b]
    const perChannel = tf.transpose(
      tf.reshape(tf.tile(tf.reshape(kernels, [b, 1, k]), [1, c, 1]), [b * c, k]),
    );
    const horizontal = tf.depthwiseConv2d(
      folded,
      tf.reshape(perChannel, [1, k, b * c, 1]) as tf.Tensor4D,
      1,
      "valid",
    ); // [1, H+2p, W, B*C]
    const both = tf.depthwiseConv2d(
      horizontal,
      tf.reshape(perChannel, [k, 1, b * c, 1]) as tf.Tensor4D,
      1,
      "valid",
    ); // [1, H, W, B*C]
    // [1, H, W, B*C] -> [H, W, B, C] -> [B, H, W, C]
    return tf.transpose(tf.reshape(both, [h, w, b, c]), [2, 0, 1, 3]);
  });
}

// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";

/** Each row divided by its L2 norm (at least 1e-12), as `torch.nn.functional.normalize(x, dim=1)`. */
export function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const norm = tf.sqrt(tf.sum(tf.square(x), 1, true)); // [rows, 1]
    return tf.div(x, tf.maximum(norm, 1e-12));
  });
}

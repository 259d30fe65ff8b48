// Copyright 2026 the simclr authors. MIT license.
// Internal: the helpers the losses share (not exported from the package).
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";

/**
 * Rows scaled to unit length, for any magnitude: each row is first divided by its largest
 * magnitude so that squaring cannot overflow, and the squared norm is clamped (1e-16) so that
 * a zero row stays zero with a finite gradient, as in torch's eps-clamped normalisation.
 */
export function unitRows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const largest = tf.maximum(tf.max(tf.abs(x), 1, true), 1e-12); // [rows, 1]
    const scaled = tf.div(x, largest); // entries in [-1, 1]
    const squaredNorms = tf.sum(tf.square(scaled), 1, true); // [rows, 1]
    return tf.mul(scaled, tf.rsqrt(tf.maximum(squaredNorms, 1e-16)));
  });
}

/** The same values, with no gradient flowing back through them (JAX's `stop_gradient`). */
export const stopGradient: (x: tf.Tensor2D) => tf.Tensor2D = tf.customGrad(
  (...inputs: (tf.Tensor | tf.GradSaveFunc)[]) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }),
) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;

/** Throws unless `x` is a rank-2 float32 tensor (`what` names its expected shape). */
export function checkFeatures(fn: string, name: string, x: unknown, what: string): void {
  if (!(x instanceof tf.Tensor)) {
    throw new TypeError(argumentMessage(fn, `${name} is ${show(x)}`, "a tf.Tensor2D"));
  }
  if (x.rank !== 2) {
    throw new TypeError(
      argumentMessage(fn, `${name} has shape ${show(x.shape)}`, `rank 2 ${what}`),
    );
  }
  if (x.dtype !== "float32") {
    throw new TypeError(argumentMessage(fn, `${name} has dtype ${x.dtype}`, "float32"));
  }
}

// Test helpers (not exported by mod.ts).
import * as tf from "@tensorflow/tfjs-core";
import type { Module } from "./module.ts";

/** max|a - b| / max|b|. */
export function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => {
    const scale = tf.max(tf.abs(expected)).dataSync()[0];
    const err = tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0];
    return err / Math.max(scale, 1e-12);
  });
}

/** Largest relative error over parity checks of one fixture case (see make_models_fixtures.py). */
export interface ParityErrors {
  eval: number;
  encoder?: number;
  train: number;
  buffers: number;
  numBatchesTracked: boolean;
}

/**
 * Runs `net` on `io.input` in eval mode, `encoder` in eval mode, then `net` in training mode and
 * compares outputs and updated buffers with the fixture's (PyTorch) values.
 */
export function parity(net: Module, io: Map<string, tf.Tensor>, encoder?: Module): ParityErrors {
  const x = io.get("input") as tf.Tensor4D;
  const errors: ParityErrors = { eval: 0, train: 0, buffers: 0, numBatchesTracked: true };
  tf.tidy(() => {
    errors.eval = relativeError(net.apply(x, { training: false }), io.get("eval_output")!);
    if (encoder) {
      errors.encoder = relativeError(
        encoder.apply(x, { training: false }),
        io.get("encoder_output")!,
      );
    }
    errors.train = relativeError(net.apply(x, { training: true }), io.get("train_output")!);
    for (const [name, v] of net.buffers()) {
      const want = io.get(`after.${name}`);
      if (want === undefined) throw new Error(`fixture lacks after.${name}`);
      if (name.endsWith("num_batches_tracked")) {
        if (v.dataSync()[0] !== want.dataSync()[0]) errors.numBatchesTracked = false;
      } else {
        errors.buffers = Math.max(errors.buffers, relativeError(v, want));
      }
    }
  });
  return errors;
}

/** The fixture file's URL path. */
export function testdata(name: string): string {
  return new URL(`./testdata/${name}`, import.meta.url).pathname;
}

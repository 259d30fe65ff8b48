// Test helpers (not exported by mod.ts).
import * as tf from "@tensorflow/tfjs-core";
import type { Module } from "./module.ts";

/** max|a - b| / max|b| (asynchronous reads: works on every backend). */
export async function relativeError(actual: tf.Tensor, expected: tf.Tensor): Promise<number> {
  const [scale, err] = tf.tidy(() => [
    tf.max(tf.abs(expected)),
    tf.max(tf.abs(tf.sub(tf.cast(actual, "float32"), tf.cast(expected, "float32")))),
  ]);
  const [s, e] = [(await scale.data())[0], (await err.data())[0]];
  tf.dispose([scale, err]);
  return e / Math.max(s, 1e-12);
}

/** Largest relative errors of one fixture case (see tools/make_models_fixtures.py). */
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
export async function parity(
  net: Module,
  io: Map<string, tf.Tensor>,
  encoder?: Module,
): Promise<ParityErrors> {
  const x = io.get("input") as tf.Tensor4D;
  const compare = async (fn: () => tf.Tensor, key: string) => {
    const y = fn();
    const e = await relativeError(y, io.get(key)!);
    y.dispose();
    return e;
  };
  const errors: ParityErrors = {
    eval: await compare(() => net.apply(x, { training: false }), "eval_output"),
    train: 0,
    buffers: 0,
    numBatchesTracked: true,
  };
  if (encoder) {
    errors.encoder = await compare(() => encoder.apply(x, { training: false }), "encoder_output");
  }
  errors.train = await compare(() => net.apply(x, { training: true }), "train_output");
  for (const [name, v] of net.buffers()) {
    const want = io.get(`after.${name}`);
    if (want === undefined) throw new Error(`fixture lacks after.${name}`);
    if (name.endsWith("num_batches_tracked")) {
      if ((await v.data())[0] !== (await want.data())[0]) errors.numBatchesTracked = false;
    } else {
      errors.buffers = Math.max(errors.buffers, await relativeError(v, want));
    }
  }
  return errors;
}

/** The fixture file's path. */
export function testdata(name: string): string {
  return new URL(`./testdata/${name}`, import.meta.url).pathname;
}

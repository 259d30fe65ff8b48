// Test helpers (not published): the torchvision reference outputs made by
// tools/make_augment_fixtures.py, and summary statistics for the samplers' tests.
import * as tf from "@tensorflow/tfjs-core";

/** Location of a float32 NHWC array in the fixture blob. */
export interface Stored {
  offset: number;
  shape: [number, number, number, number];
}

/** One fixture case: its stored arrays and parameters. */
export type Case = Record<string, unknown> & { input: Stored; expected: Stored };

const dir = new URL("./testdata/", import.meta.url);
const meta = JSON.parse(await Deno.readTextFile(new URL("augment_fixtures.json", dir)));
const bytes = await Deno.readFile(new URL("augment_fixtures.bin", dir));
const blob = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);

/** The named case. */
export function fixture(name: string): Case {
  const c = meta.cases[name];
  if (c === undefined) throw new Error(`no fixture case ${name}`);
  return c;
}

/** A stored array as a tensor. */
export function load(stored: Stored): tf.Tensor4D {
  const size = stored.shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(blob.slice(stored.offset, stored.offset + size), stored.shape);
}

/** Largest absolute difference between `actual` and the stored `expected`. */
export function maxError(actual: tf.Tensor, expected: Stored): number {
  const want = load(expected);
  try {
    if (actual.shape.join() !== want.shape.join()) {
      throw new Error(`shape [${actual.shape}] differs from the reference's [${want.shape}]`);
    }
    const a = actual.dataSync(), b = want.dataSync();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst;
  } finally {
    want.dispose();
  }
}

/** {@linkcode maxError} reading the data asynchronously (required on webgpu). */
export async function maxErrorAsync(actual: tf.Tensor, expected: Stored): Promise<number> {
  const want = load(expected);
  try {
    if (actual.shape.join() !== want.shape.join()) {
      throw new Error(`shape [${actual.shape}] differs from the reference's [${want.shape}]`);
    }
    const [a, b] = await Promise.all([actual.data(), want.data()]);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    return worst;
  } finally {
    want.dispose();
  }
}

/** Mean of `values`. */
export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Population standard deviation of `values`. */
export function std(values: readonly number[]): number {
  const m = mean(values);
  return Math.sqrt(mean(values.map((v) => (v - m) ** 2)));
}

/** Linear-interpolated quantile (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const sorted = values.toSorted((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
}

/** Throws unless `actual` is within `tolerance` of `expected`. */
export function assertNear(
  actual: number,
  expected: number,
  tolerance: number,
  what: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance)) {
    throw new Error(`${what}: ${actual} is not within ${tolerance} of ${expected}`);
  }
}

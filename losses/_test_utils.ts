// Helpers of the losses tests (not exported from the package): tolerance checks, seeded rows,
// the fixtures, and the tutorial's `info_nce_loss` transcribed op for op (including its
// [2N, 2N, D] broadcast and its -9e15 masking), the plain reference that the tests and the
// benchmark hold `infoNCE` against.
import * as tf from "@tensorflow/tfjs-core";

/** The tutorial's loss and metrics for two views, as plain numbers and the loss tensor. */
export function tutorialInfoNCE(
  feats: tf.Tensor2D,
  temperature: number,
): { loss: tf.Scalar; top1: number; top5: number; meanPos: number } {
  const rows = feats.shape[0];
  let ranks!: Int32Array;
  const loss = tf.tidy(() => {
    // F.cosine_similarity(feats[:, None, :], feats[None, :, :], dim=-1)
    const a = tf.expandDims(feats, 1); // [rows, 1, D]
    const b = tf.expandDims(feats, 0); // [1, rows, D]
    const dot = tf.sum(tf.mul(a, b), -1); // [rows, rows]
    const normProduct = tf.mul(tf.norm(a, "euclidean", -1), tf.norm(b, "euclidean", -1));
    let cosSim = tf.div(dot, tf.maximum(normProduct, 1e-8));
    const selfMask = tf.cast(tf.eye(rows), "bool");
    cosSim = tf.where(selfMask, tf.fill([rows, rows], -9e15), cosSim);
    // pos_mask = self_mask.roll(shifts=rows // 2, dims=0)
    const posMask = tf.concat([
      tf.slice(selfMask, [rows / 2, 0], [rows / 2, rows]),
      tf.slice(selfMask, [0, 0], [rows / 2, rows]),
    ]);
    cosSim = tf.div(cosSim, temperature);
    const positive = tf.sum(tf.where(posMask, cosSim, tf.zerosLike(cosSim)), 1);
    const nll = tf.mean(tf.add(tf.neg(positive), tf.logSumExp(cosSim, -1)));
    const combSim = tf.concat([
      tf.expandDims(positive, 1),
      tf.where(posMask, tf.fill([rows, rows], -9e15), cosSim),
    ], 1); // [rows, rows + 1]
    // argsort(descending).argmin(): where column 0 (the positive) lands in the sorted order.
    const order = tf.topk(combSim, rows + 1).indices;
    ranks = tf.argMin(order, 1).dataSync() as Int32Array;
    return nll as tf.Scalar;
  });
  const mean = (f: (r: number) => number) => ranks.reduce((s, r) => s + f(r), 0) / rows;
  return {
    loss,
    top1: mean((r) => Number(r === 0)),
    top5: mean((r) => Number(r < 5)),
    meanPos: 1 + mean((r) => r),
  };
}

/** Asserts `actual` is within `tolerance` of `expected` (relative above 1, absolute below). */
export function assertClose(
  actual: number,
  expected: number,
  tolerance: number,
  what: string,
): void {
  if (!(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)))) {
    throw new Error(`${what}: got ${actual}, expected ${expected} (tolerance ${tolerance})`);
  }
}

/** Asserts a gradient matches a reference to `tolerance` of the reference's largest entry. */
export function assertGradientClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: ${actual.length} entries, expected ${expected.length}`);
  }
  let scale = 0, error = 0;
  for (let i = 0; i < expected.length; i++) {
    scale = Math.max(scale, Math.abs(expected[i]));
    error = Math.max(error, Math.abs(actual[i] - expected[i]));
  }
  if (!(error <= tolerance * scale)) {
    throw new Error(`${what}: max error ${error} of ${scale} (tolerance ${tolerance})`);
  }
}

/** `count` rows of `dim` standard-normal values, seeded, as plain arrays. */
export function randomRows(count: number, dim: number, seed: number): number[][] {
  return tf.tidy(() =>
    tf.randomNormal([count, dim], 0, 1, "float32", seed).arraySync() as number[][]
  );
}

/** The `cases` of a fixture in `losses/testdata/` (made by `tools/*.py`). */
export async function readFixture<T>(name: string): Promise<T[]> {
  const url = new URL(`./testdata/${name}`, import.meta.url);
  return JSON.parse(await Deno.readTextFile(url)).cases;
}

/** Rows scaled to unit length in float64, `eps` clamping the norm (torch's F.normalize). */
export function plainUnitRows(rows: number[][]): number[][] {
  return rows.map((r) => {
    const norm = Math.max(Math.hypot(...r), 1e-12);
    return r.map((v) => v / norm);
  });
}

/** What {@linkcode assertSameOnBackends} compares: scalar values and one gradient. */
export interface BackendRun {
  values: tf.Tensor[];
  gradient: tf.Tensor;
}

/**
 * Runs `compute` on cpu (the reference), then on each of `backends`, and asserts the values
 * agree to 1e-4 (relative above 1) and the gradient to 1e-4 of its largest entry. `compute`
 * makes its inputs from plain arrays, on the backend in use; its tensors are disposed here.
 */
export async function assertSameOnBackends(
  what: string,
  compute: () => BackendRun,
  backends: string[] = ["wasm", "webgpu"],
): Promise<void> {
  const read = async (backend: string) => {
    if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} failed to start`);
    const { values, gradient } = compute();
    const numbers = await Promise.all(values.map(async (t) => (await t.data())[0]));
    const grad = Array.from(await gradient.data());
    tf.dispose([...values, gradient]);
    return { numbers, grad };
  };
  const reference = await read("cpu");
  for (const backend of backends) {
    const got = await read(backend);
    got.numbers.forEach((v, i) =>
      assertClose(v, reference.numbers[i], 1e-4, `${what} on ${backend}, value ${i}`)
    );
    assertGradientClose(got.grad, reference.grad, 1e-4, `${what} on ${backend}, gradient`);
  }
  await tf.setBackend("cpu");
}

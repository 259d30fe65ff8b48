// `deno bench -A losses/`: InfoNCE for N = 256 pairs of D = 128 features, ours (one matmul of
// normalised rows) beside the tutorial's broadcast formulation, forward and backward, with the
// peak bytes of live tensors each one needs (tfjs's memory counter, sampled inside the op).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { infoNCE } from "./info_nce.ts";
import { tutorialInfoNCE } from "./_test_utils.ts";

const PAIRS = 256;
const DIM = 128;
const backend = Deno.env.get("BENCH_BACKEND") ?? "wasm";
await tf.setBackend(backend);
const features = tf.randomNormal([2 * PAIRS, DIM], 0, 1, "float32", 1) as tf.Tensor2D;

/** Peak bytes of tensors alive while `fn` runs, above those alive before it. */
function peakBytes(fn: () => void): number {
  const before = tf.memory().numBytes;
  let peak = before;
  const engine = tf.engine() as unknown as { state: { numBytes: number } };
  // Sample after every kernel by wrapping the engine's byte counter.
  const state = engine.state;
  let current = state.numBytes;
  Object.defineProperty(state, "numBytes", {
    configurable: true,
    get: () => current,
    set: (v: number) => {
      current = v;
      peak = Math.max(peak, v);
    },
  });
  try {
    fn();
  } finally {
    delete (state as { numBytes?: number }).numBytes;
    state.numBytes = current;
  }
  return peak - before;
}

const ours = () =>
  tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D).loss)(features);
    grad.dataSync();
  });
const tutorial = () =>
  tf.tidy(() => {
    const grad = tf.grad((x: tf.Tensor) => tutorialInfoNCE(x as tf.Tensor2D, 0.07).loss)(features);
    grad.dataSync();
  });

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
console.log(
  `peak tensor memory, forward + backward, N=${PAIRS} pairs, D=${DIM}, ${backend}: ` +
    `infoNCE ${mib(peakBytes(ours))} MiB, tutorial broadcast ${mib(peakBytes(tutorial))} MiB`,
);

Deno.bench(`infoNCE, N=${PAIRS} pairs, D=${DIM}, forward + backward (${backend})`, {
  group: "infonce",
  baseline: true,
}, ours);
Deno.bench(`tutorial's broadcast formulation, same (${backend})`, { group: "infonce" }, tutorial);

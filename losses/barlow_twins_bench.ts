// `deno bench -A losses/`: Barlow Twins for N = 256 images, forward and backward, at projector
// widths D = 256 and 2048 (the cost is the [D, D] cross-correlation: O(N D^2) time, O(D^2)
// memory; the paper's D = 8192 is 16 times the second).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { barlowTwins } from "./barlow_twins.ts";

const N = 256;
const backend = Deno.env.get("BENCH_BACKEND") ?? "wasm";
await tf.setBackend(backend);

for (const dim of [256, 2048]) {
  const features = tf.randomNormal([2 * N, dim], 0, 1, "float32", 1) as tf.Tensor2D;
  Deno.bench(`barlowTwins, N=${N}, D=${dim}, forward + backward (${backend})`, {
    group: "barlow",
    baseline: dim === 256,
  }, () => {
    tf.tidy(() => {
      tf.grad((x: tf.Tensor) => barlowTwins(x as tf.Tensor2D).loss)(features).dataSync();
    });
  });
}

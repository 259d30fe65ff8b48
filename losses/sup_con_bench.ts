// `deno bench -A losses/`: SupCon for N = 256 images of D = 128 features, two views, labels of
// 10 classes, forward and backward, beside InfoNCE on the same features (SupCon without labels
// is InfoNCE; with them it builds one more [2N, 2N] mask).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { infoNCE } from "./info_nce.ts";
import { supCon } from "./sup_con.ts";

const N = 256;
const DIM = 128;
const backend = Deno.env.get("BENCH_BACKEND") ?? "wasm";
await tf.setBackend(backend);
const features = tf.randomNormal([2 * N, DIM], 0, 1, "float32", 1) as tf.Tensor2D;
const labels = tf.tensor1d(Array.from({ length: N }, (_, i) => i % 10), "int32");

Deno.bench(`supCon with labels, N=${N}, D=${DIM}, forward + backward (${backend})`, {
  group: "supcon",
  baseline: true,
}, () => {
  tf.tidy(() => {
    tf.grad((x: tf.Tensor) => supCon(x as tf.Tensor2D, { labels }).loss)(features).dataSync();
  });
});
Deno.bench(`infoNCE, same features (${backend})`, { group: "supcon" }, () => {
  tf.tidy(() => {
    tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D).loss)(features).dataSync();
  });
});

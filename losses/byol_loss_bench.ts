// `deno bench -A losses/`: the BYOL loss for N = 256 images of D = 256 features (the paper's
// projection size), forward and backward, beside InfoNCE on the same predictions: BYOL's loss
// is row-wise, O(N D), where InfoNCE compares every pair, O(N^2 D).
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import { byolLoss } from "./byol_loss.ts";
import { infoNCE } from "./info_nce.ts";

const N = 256;
const DIM = 256;
const backend = Deno.env.get("BENCH_BACKEND") ?? "wasm";
await tf.setBackend(backend);
const predictions = tf.randomNormal([2 * N, DIM], 0, 1, "float32", 1) as tf.Tensor2D;
const targets = tf.randomNormal([2 * N, DIM], 0, 1, "float32", 2) as tf.Tensor2D;

Deno.bench(`byolLoss, N=${N}, D=${DIM}, forward + backward (${backend})`, {
  group: "byol",
  baseline: true,
}, () => {
  tf.tidy(() => {
    tf.grad((x: tf.Tensor) => byolLoss(x as tf.Tensor2D, targets))(predictions).dataSync();
  });
});
Deno.bench(`infoNCE, same predictions (${backend})`, { group: "byol" }, () => {
  tf.tidy(() => {
    tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D).loss)(predictions).dataSync();
  });
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
await tf.setBackend(Deno.args[0]);
const n = Number(Deno.args[1] ?? 64);
const x = tf.randomUniform([n, 96, 96, 3]) as tf.Tensor4D;
async function time(name: string, f: () => tf.Tensor) {
  const t = performance.now();
  const y = tf.tidy(f);
  await y.data();
  y.dispose();
  console.log(name.padEnd(12), ((performance.now() - t) / 1000).toFixed(3), "s");
}
await time("warm", () => tf.add(x, 1));
await time("add", () => tf.add(x, 1));
await time("split", () => tf.split(x, 3, 3)[0]);
await time("matmul", () => tf.matMul(tf.reshape(x, [-1, 3]), tf.tensor2d([0.3, 0.5, 0.2], [3, 1])));
await time("transpose", () => tf.transpose(x, [0, 2, 1, 3]));
const idx = tf.tensor1d(Array.from({ length: n * 96 * 96 }, (_, i) => i), "int32");
await time("gatherpix", () => tf.gather(tf.reshape(x, [-1, 3]), idx));
const ridx = tf.tensor1d(Array.from({ length: n * 96 }, (_, i) => i), "int32");
await time("gatherrow", () => tf.gather(tf.reshape(x, [-1, 96 * 3]), ridx));
await time("where", () => tf.where(tf.greater(tf.tensor4d(Array(n).fill(0.5).map((_, i) => i % 2), [n, 1, 1, 1]), 0.5), x, tf.mul(x, 2)));
await time("mulbcast", () => tf.mul(x, tf.ones([n, 1, 1, 1])));
await time("reverse", () => tf.reverse(x, 2));
await time("tile", () => tf.tile(tf.reshape(tf.split(x, 3, 3)[0], [n, 96, 96, 1]), [1, 1, 1, 3]));
await time("max", () => tf.max(x, 3, true));
await time("equal", () => tf.equal(x, tf.max(x, 3, true)));

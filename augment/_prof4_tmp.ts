import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
await tf.setBackend(Deno.args[0]);
const n = Number(Deno.args[1] ?? 64);
const x = tf.randomUniform([n * 96, 96 * 3]);
const w = tf.randomUniform([n * 96, 1]);
async function time(name: string, f: () => tf.Tensor) {
  const t = performance.now();
  const y = tf.tidy(f);
  await y.data();
  y.dispose();
  console.log(name.padEnd(12), ((performance.now() - t) / 1000).toFixed(3), "s");
}
await time("warm", () => tf.add(x, 1));
await time("mulbc", () => tf.mul(x, w));
await time("mulexp", () => tf.mul(x, tf.matMul(w, tf.ones([1, 288]))));
await time("same", () => tf.mul(x, x));
await time("where", () => tf.where(tf.greater(x, 0.5), x, tf.mul(x, 2)));
await time("equal", () => tf.equal(x, x));
await time("mod", () => tf.mod(x, 1));
await time("floor", () => tf.floor(x));
await time("clip", () => tf.clipByValue(x, 0, 1));
await time("max3", () => tf.max(tf.reshape(x, [-1, 3]), 1, true));
await time("mm33", () => tf.matMul(tf.reshape(x, [-1, 3]), tf.ones([3, 3])));
await time("concat1", () => tf.concat([tf.reshape(x, [-1, 1]), tf.reshape(x, [-1, 1]), tf.reshape(x, [-1, 1])], 1));
await time("onehot", () => tf.oneHot(tf.cast(tf.reshape(x, [-1]), "int32"), 6));

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
const rowStart = () => tf.reshape(tf.range(0, n * 96 * 96, 96, "int32"), [n, 96, 1]);
await time("idxadd", () => tf.add(rowStart(), tf.tensor3d(new Int32Array(n * 96), [n, 1, 96], "int32")));
await time("gatherpix", () => tf.gather(tf.reshape(x, [-1, 3]), tf.reshape(tf.add(rowStart(), tf.tensor3d(new Int32Array(n * 96), [n, 1, 96], "int32")), [-1])));
await time("mulw", () => tf.mul(x, tf.ones([n, 1, 96, 1])));
await time("mulrow", () => tf.mul(tf.reshape(x, [n * 96, 96 * 3]), tf.ones([n * 96, 1])));
const Ry = tf.randomUniform([n, 96, 96]);
await time("matmulrows", () => tf.matMul(Ry, tf.reshape(x, [n, 96, 96 * 3])));
await time("transpose", () => tf.transpose(x, [0, 2, 1, 3]));
await time("matmulbc", () => tf.matMul(tf.reshape(Ry, [n, 1, 96, 96]), x));

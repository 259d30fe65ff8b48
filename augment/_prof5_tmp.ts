import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as A from "./mod.ts";
import { cropResize } from "./_crop_resize.ts";
import { separableBlur, gaussianKernels } from "./_blur.ts";
await tf.setBackend(Deno.args[0]);
const n = Number(Deno.args[1] ?? 64);
const images = tf.randomUniform([n, 96, 96, 3]) as tf.Tensor4D;
async function time(name: string, f: () => tf.Tensor) {
  const t = performance.now();
  const y = tf.tidy(f);
  await y.data();
  y.dispose();
  console.log(name.padEnd(12), ((performance.now() - t) / 1000).toFixed(3), "s");
}
const rng = A.createRng(0);
const params = Array.from({ length: n }, () => A.sampleViewParams(rng, 96, 96));
await time("views-warm", () => A.applyViewParams(images, params));
await time("views", () => A.applyViewParams(images, params));
await time("crop", () => cropResize(images, params.map((p) => p.box), 96, 96, params.map((p) => p.flip)));
await time("jitter", () => A.applyViewParams(images, params.map((p) => ({ ...p, box: [0, 0, 96, 96], flip: false, grayscale: false, sigma: null }))));
await time("nojitter", () => A.applyViewParams(images, params.map((p) => ({ ...p, jitter: null }))));
await time("hue", () => A.adjustHue(images, Array(n).fill(0.05)));
await time("blur", () => separableBlur(images, gaussianKernels(tf.fill([n], 1) as tf.Tensor1D, 9)));
await time("transpose", () => tf.transpose(images, [0, 2, 1, 3]));

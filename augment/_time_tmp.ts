import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { simclrViews } from "./simclr_views.ts";
await tf.setBackend(Deno.args[0]);
const n = Number(Deno.args[1] ?? 256);
const images = tf.randomUniform([n, 96, 96, 3]) as tf.Tensor4D;
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const v = simclrViews(images, { seed: i });
  await v.data();
  v.dispose();
  console.log(Deno.args[0], n, ((performance.now() - t) / 1000).toFixed(2), "s");
}

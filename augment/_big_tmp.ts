import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-webgpu";
import { simclrViews } from "./simclr_views.ts";
Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
await tf.setBackend("webgpu");
const images = tf.randomUniform([256, 96, 96, 3]) as tf.Tensor4D;
for (let i = 0; i < 2; i++) {
  const t = performance.now();
  const v = simclrViews(images, { seed: i });
  const d = await v.data();
  console.log(v.shape, d[0], ((performance.now() - t) / 1000).toFixed(1), "s");
  v.dispose();
}
console.log(tf.memory().numTensors);

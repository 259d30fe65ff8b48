import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import assert from "node:assert/strict";
import { infoNCE } from "./info_nce.ts";

// Mesa's software Vulkan needs a runtime directory.
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());

async function lossAndGrad(backend: string, rows: number[][], nViews: number) {
  assert.ok(await tf.setBackend(backend), `backend ${backend} failed to start`);
  const features = tf.tensor2d(rows);
  const result = infoNCE(features, { temperature: 0.1, nViews });
  const grad = tf.grad((x: tf.Tensor) => infoNCE(x as tf.Tensor2D, { nViews }).loss)(features);
  const values = await Promise.all(
    [result.loss, result.top1, result.top5, result.meanPos].map(async (t) => (await t.data())[0]),
  );
  const gradient = Array.from(await grad.data());
  tf.dispose([features, grad, ...Object.values(result)]);
  return { values, gradient };
}

Deno.test("`infoNCE()` gives the same values and gradients on cpu, wasm and webgpu", async () => {
  for (const [nViews, n, dim] of [[2, 16, 32], [3, 5, 8]]) {
    await tf.setBackend("cpu");
    const rows = tf.tidy(() => tf.randomNormal([nViews * n, dim], 0, 1, "float32", n).arraySync());
    const reference = await lossAndGrad("cpu", rows as number[][], nViews);
    for (const backend of ["wasm", "webgpu"]) {
      const got = await lossAndGrad(backend, rows as number[][], nViews);
      got.values.forEach((v, i) => {
        const e = reference.values[i];
        assert.ok(
          Math.abs(v - e) <= 1e-4 * Math.max(1, Math.abs(e)),
          `${backend} [${i}]: ${v} vs ${e}`,
        );
      });
      const scale = Math.max(...reference.gradient.map(Math.abs));
      const error = Math.max(...got.gradient.map((g, i) => Math.abs(g - reference.gradient[i])));
      assert.ok(error <= 1e-4 * scale, `${backend} gradient error ${error} of ${scale}`);
    }
  }
  await tf.setBackend("cpu");
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { byolLoss } from "./byol_loss.ts";
import { assertSameOnBackends, randomRows } from "./_test_utils.ts";

// Mesa's software Vulkan needs a runtime directory.
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());

Deno.test("`byolLoss()` gives the same values and gradients on cpu, wasm and webgpu", async () => {
  await tf.setBackend("cpu");
  for (const [n, dim] of [[16, 32], [1, 8]]) {
    const [p, z] = [randomRows(2 * n, dim, n), randomRows(2 * n, dim, n + 1)];
    await assertSameOnBackends(`n=${n} dim=${dim}`, () => {
      const [predictions, targets] = [tf.tensor2d(p), tf.tensor2d(z)];
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
        byolLoss(x as tf.Tensor2D, targets)
      )(predictions);
      tf.dispose([predictions, targets]);
      return { values: [value], gradient: grad };
    });
  }
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { barlowTwins } from "./barlow_twins.ts";
import { assertSameOnBackends, randomRows } from "./_test_utils.ts";

// Mesa's software Vulkan needs a runtime directory.
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());

Deno.test("`barlowTwins()` gives the same values and gradients on cpu, wasm and webgpu", async () => {
  await tf.setBackend("cpu");
  for (const [n, dim] of [[16, 32], [5, 8]]) {
    const rows = randomRows(2 * n, dim, n);
    await assertSameOnBackends(`n=${n} dim=${dim}`, () => {
      const features = tf.tensor2d(rows);
      const { loss, onDiagonal, offDiagonal } = barlowTwins(features);
      const gradient = tf.grad((x: tf.Tensor) => barlowTwins(x as tf.Tensor2D).loss)(features);
      features.dispose();
      return { values: [loss, onDiagonal, offDiagonal], gradient };
    });
  }
});

import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { supCon } from "./sup_con.ts";
import { assertSameOnBackends, randomRows } from "./_test_utils.ts";

// Mesa's software Vulkan needs a runtime directory.
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());

Deno.test("`supCon()` gives the same values and gradients on cpu, wasm and webgpu", async () => {
  await tf.setBackend("cpu");
  const cases: [number, number, number, number[] | null][] = [
    [2, 16, 32, [0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3]],
    [3, 5, 8, null],
  ];
  for (const [nViews, n, dim, labels] of cases) {
    const rows = randomRows(nViews * n, dim, n);
    await assertSameOnBackends(`nViews=${nViews} labels=${labels !== null}`, () => {
      const features = tf.tensor2d(rows);
      const labelTensor = labels ? tf.tensor1d(labels, "int32") : undefined;
      const options = { labels: labelTensor, nViews, temperature: 0.1 };
      const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
        supCon(x as tf.Tensor2D, options).loss
      )(features);
      tf.dispose([features, ...(labelTensor ? [labelTensor] : [])]);
      return { values: [value], gradient: grad };
    });
  }
});

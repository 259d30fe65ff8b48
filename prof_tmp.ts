import * as tf from "@tensorflow/tfjs";
import { simclrViews } from "@simclr/augment";
import { openSTL10 } from "@simclr/datasets";
import { simclrNet } from "@simclr/models";
import { AdamW, contrastiveStep, selectBackend } from "@simclr/train";
await selectBackend(Deno.args[0] as "wasm");
const ds = await openSTL10(".cache/demo-data", "train");
const { pixels } = await ds.read(Array.from({ length: 64 }, (_, i) => i));
let t = performance.now();
for (let i = 0; i < 3; i++) { const v = simclrViews({ pixels, height: 96, width: 96 }, { seed: i, size: 32 }); await v.data(); v.dispose(); }
console.log("views per batch of 64 (ms)", (performance.now() - t) / 3);
const model = simclrNet({ width: Number(Deno.args[1] ?? 16), hiddenDim: 64, stem: "cifar", seed: 1 });
const opt = new AdamW(model.parameters());
const views = simclrViews({ pixels, height: 96, width: 96 }, { seed: 0, size: 32 });
const vars = [...model.parameters().values()];
for (let i = 0; i < 3; i++) {
  t = performance.now();
  const { value, grads } = tf.variableGrads(() => contrastiveStep(model, views).loss, vars);
  await value.data();
  const t1 = performance.now();
  tf.dispose([value, ...Object.values(grads)]);
  console.log("step (ms)", t1 - t, "img/s", 128 / ((t1 - t) / 1000));
}
t = performance.now();
const f = tf.tidy(() => model.apply(views, { training: false })); await f.data(); console.log("fwd eval ms", performance.now() - t);

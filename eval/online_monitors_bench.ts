// `deno bench -A eval/online_monitors_bench.ts`: what the online monitors add to a validation of
// the demo preset (width-8 ResNet-18, 32 px, wasm with 1 thread as in `deno task pretrain` on two
// cores): the contrastive validation pass over the 500 labelled images beside `onlineMonitors()`
// over those 500 (the bank) and the 500 test images (all, and a sample of 100).
import "@tensorflow/tfjs";
import type * as tf from "@tensorflow/tfjs-core";
import { simclrViews } from "@simclr/augment";
import { selectBackend } from "@simclr/backends";
import { batches, generateDemoData, openSTL10 } from "@simclr/datasets";
import { simclrNet } from "@simclr/models";
import { validateContrastive } from "@simclr/train";
import { onlineMonitors } from "./online_monitors.ts";

await selectBackend("wasm", { threads: 1, log: null });
const dir = await Deno.makeTempDir({ prefix: "monitors_bench_" });
await generateDemoData(dir, { unlabeled: 0 });
const train = await openSTL10(dir, "train"), test = await openSTL10(dir, "test");
const model = simclrNet({ hiddenDim: 64, width: 8, stem: "cifar" });
const options = { bank: train, queries: test, batchSize: 64, imageSize: 32 };

async function* views(): AsyncGenerator<tf.Tensor4D> {
  for await (const batch of batches(train, { batchSize: 64, shuffle: false })) {
    yield simclrViews({ pixels: batch.pixels, height: 96, width: 96 }, {
      seed: batch.step,
      size: 32,
      cropScale: [0.25, 1],
      hue: 0.5,
    });
  }
}

Deno.bench("validateContrastive(): 500 images, 2 views (n = 1 validation)", async () => {
  await validateContrastive(model, views(), { temperature: 0.2 });
});

Deno.bench("onlineMonitors(): bank 500, all 500 queries (n = 1 validation)", async () => {
  await onlineMonitors(model, options);
});

Deno.bench("onlineMonitors(): bank 500, 100 queries (n = 1 validation)", async () => {
  await onlineMonitors(model, { ...options, maxQueries: 100 });
});

globalThis.addEventListener("unload", () => {
  model.dispose();
  Deno.removeSync(dir, { recursive: true });
});

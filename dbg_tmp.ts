import * as tf from "@tensorflow/tfjs";
import { openSTL10 } from "@simclr/datasets";
import { loadSafetensors, simclrNet } from "@simclr/models";
import { extractFeatures, trainLogisticRegression } from "@simclr/eval";
import { selectBackend } from "@simclr/train";
await selectBackend("wasm", { log: null });
const { tensors, metadata } = await loadSafetensors(Deno.args[0]);
const cfg = JSON.parse(metadata.config);
const net = simclrNet({ width: cfg.width, hiddenDim: cfg.hiddenDim, stem: cfg.stem });
net.loadStateDict(tensors);
const train = await openSTL10(".cache/demo-data", "train");
const test = await openSTL10(".cache/demo-data", "test");
for (const training of [false, true]) {
  const enc = { apply: (x: tf.Tensor4D, _o: { training: boolean }) => net.encoder.apply(x, { training }) };
  const tr = await extractFeatures(enc, train, { imageSize: cfg.imageSize, progress: false });
  const te = await extractFeatures(enc, test, { imageSize: cfg.imageSize, progress: false });
  const { mean, variance } = tf.moments(tr.features, 0);
  console.log("training-mode BN:", training, "feature mean of means", (await mean.mean().data())[0], "mean std", (await variance.sqrt().mean().data())[0], "mean abs", (await tr.features.abs().mean().data())[0]);
  for (const lr of [1e-3, 1e-2]) {
    const r = await trainLogisticRegression(tr.features, tr.labels, te.features, te.labels, { epochs: 100, lr });
    console.log(" lr", lr, "train", r.trainAccuracy, "test", r.testAccuracy);
  }
}
const rv = net.buffers(); const names = [...rv.keys()].filter((k) => k.includes("running_var")).slice(0, 3);
for (const n of names) console.log(n, Array.from((await rv.get(n)!.data()).slice(0, 4)));

import * as tf from "@tensorflow/tfjs";
import { simclrViews } from "@simclr/augment";
import { batches, openSTL10, stepsPerEpoch } from "@simclr/datasets";
import { simclrNet } from "@simclr/models";
import { extractFeatures, trainLogisticRegression, knnClassify, accuracy } from "@simclr/eval";
import { AdamW, contrastiveStep, cosineAnnealingLR, fit, selectBackend } from "@simclr/train";
const [cropMin, hue, epochs, temp, width, size, dataDir] = [Number(Deno.args[0]), Number(Deno.args[1]), Number(Deno.args[2]), Number(Deno.args[3]), Number(Deno.args[4] ?? 8), Number(Deno.args[5] ?? 32), Deno.args[6] ?? ".cache/demo-data"];
await selectBackend("wasm", { log: null });
const train = await openSTL10(dataDir, "train+unlabeled");
const lab = await openSTL10(dataDir, "train");
const test = await openSTL10(dataDir, "test");
const model = simclrNet({ width, hiddenDim: 64, stem: "cifar", seed: 1 });
async function probeIt(tag: string) {
  const tr = await extractFeatures(model.encoder, lab, { imageSize: size, progress: false });
  const te = await extractFeatures(model.encoder, test, { imageSize: size, progress: false });
  const r = await trainLogisticRegression(tr.features, tr.labels, te.features, te.labels, { epochs: 100, lr: 1e-3 });
  const k = accuracy(await knnClassify(tr.features, tr.labels, te.features, { k: 20 }), te.labels);
  console.log(tag, "probe train", r.trainAccuracy, "test", r.testAccuracy, "knn", k);
  tf.dispose([tr.features, te.features]);
}
await probeIt("random");
const opt = new AdamW(model.parameters(), { lr: 2e-3, weightDecay: 1e-4 });
const t0 = performance.now();
await fit({ model, optimizer: opt, schedule: cosineAnnealingLR({ baseLr: 2e-3, tMax: epochs, etaMin: 4e-5 }), epochs,
  stepsPerEpoch: stepsPerEpoch(train.length, 64, true),
  batches: (epoch) => batches(train, { batchSize: 64, dropLast: true, seed: 1, epoch }),
  step: (b, { epoch, step }) => contrastiveStep(model, simclrViews({ pixels: b.pixels, height: 96, width: 96 }, { seed: epoch * 1000 + step + 1, size, cropScale: [cropMin, 1], hue }), { temperature: temp }),
  outDir: await Deno.makeTempDir(), log: (l) => console.log(l.slice(0, 120)) });
console.log("train s", (performance.now() - t0) / 1000);
await probeIt("pretrained");

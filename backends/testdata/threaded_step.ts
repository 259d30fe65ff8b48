// Run by select_backend_test.ts in a process of its own (wasm's thread pool is fixed when wasm
// first starts): one SimCLR training step's loss and gradient norm on wasm with the given
// threads, printed as one JSON line.
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "@simclr/backends";
import { getThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { simclrNet } from "@simclr/models";
import { infoNCE } from "@simclr/losses";

const selected = await selectBackend("wasm", { threads: Number(Deno.args[0]), log: null });
const model = simclrNet({ width: 8, hiddenDim: 16, stem: "cifar" });
const views = tf.randomNormal([32, 24, 24, 3], 0, 1, "float32", 7) as tf.Tensor4D;
const params = [...model.parameters().values()];
const { value, grads } = tf.variableGrads(
  () => infoNCE(model.apply(views, { training: true })).loss,
  params,
);
const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
console.log(JSON.stringify({
  threads: getThreadsCount(),
  reported: selected.threads,
  device: selected.device,
  loss: value.dataSync()[0],
  gradNorm: norm.dataSync()[0],
}));

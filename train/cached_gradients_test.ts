import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { infoNCE } from "@simclr/losses";
import { simclrNet } from "@simclr/models";
import { cachedGradients } from "./cached_gradients.ts";
import { computeGradients } from "./train_step.ts";

await selectBackend("cpu", { log: null });

const images = tf.randomNormal([2, 7, 8, 8, 3], 0, 1, "float32", 5); // [views, images, H, W, C]
/** Views of images start..start+count-1, view-major: [2 * count, 8, 8, 3]. */
const views = (start: number, count: number) =>
  tf.tidy(() =>
    tf.reshape(tf.slice(images, [0, start], [2, count]), [2 * count, 8, 8, 3]) as tf.Tensor4D
  );
const loss = (z: tf.Tensor2D) => {
  const { loss, top1, top5, meanPos } = infoNCE(z, { temperature: 0.2 });
  return { loss, metrics: { acc_top1: top1, acc_top5: top5, acc_mean_pos: meanPos } };
};

Deno.test("`cachedGradients()` equals the whole batch's gradients when images are independent", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const forward = (x: tf.Tensor4D) => model.apply(x, { training: false });
  const whole = computeGradients(model, () => loss(forward(views(0, 7))));
  for (const chunks of [1, 3, 7]) {
    const before = tf.memory().numTensors;
    const chunked = cachedGradients(model, { batchSize: 7, chunks, inputs: views, forward, loss });
    assert.equal(tf.memory().numTensors, before + 1 + 3 + whole.grads.size); // loss, metrics, grads
    assert.equal((await chunked.loss.data())[0], (await whole.loss.data())[0]);
    for (const key of ["acc_top1", "acc_top5", "acc_mean_pos"]) {
      assert.deepEqual(await chunked.metrics[key].data(), await whole.metrics[key].data(), key);
    }
    for (const [name, g] of whole.grads) {
      const [a, b] = [await g.data(), await chunked.grads.get(name)!.data()];
      const scale = Math.max(...a.map(Math.abs));
      const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i])));
      assert.ok(worst <= 1e-5 * scale, `${chunks} chunks, ${name}: ${worst} of ${scale}`);
    }
    tf.dispose([chunked.loss, ...Object.values(chunked.metrics), ...chunked.grads.values()]);
  }
  tf.dispose([whole.loss, ...Object.values(whole.metrics), ...whole.grads.values()]);
  model.dispose();
});

Deno.test("`cachedGradients()` in training mode updates BatchNorm's statistics once per chunk", async () => {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const tracked = model.buffers().get("bn1.num_batches_tracked")!;
  const forward = (x: tf.Tensor4D) => model.apply(x, { training: true });
  const { loss: value, metrics, grads } = cachedGradients(model, {
    batchSize: 7,
    chunks: 2,
    inputs: views,
    forward,
    loss,
  });
  assert.equal((await tracked.data())[0], 2); // the first pass's updates were undone
  assert.ok(Number.isFinite((await value.data())[0]));
  tf.dispose([value, ...Object.values(metrics), ...grads.values()]);
  assert.throws(
    () => cachedGradients(model, { batchSize: 7, chunks: 8, inputs: views, forward, loss }),
    {
      name: "RangeError",
      message: "cachedGradients(): options.chunks is 8: expected an integer in [1, 7]",
    },
  );
  model.dispose();
});

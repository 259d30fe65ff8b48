import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { AdamW } from "./adamw.ts";
import { DataParallel, ReplicaError } from "./data_parallel.ts";
import { fit } from "./fit.ts";
import { trainStep } from "./train_step.ts";
import {
  batchViews,
  createReplica,
  type TestPayload,
  type TestReplicaConfig,
} from "./testdata/replica.ts";

await selectBackend("cpu", { log: null });
const MODULE = new URL("./testdata/replica.ts", import.meta.url);

/** Replica 0 and a group of `replicas`, with an optimiser whose first step is nearly SGD. */
async function group(
  replicas: number,
  training: boolean,
  timeoutSeconds?: number,
  backend?: "native",
) {
  const local = await createReplica({ training, backend });
  // eps >> |g|: Adam's first step moves each weight by lr * g / (|g| + eps), close to lr * g / eps,
  // so the weights show the gradients' sizes, not only their signs.
  const optimizer = new AdamW(local.model.parameters(), { lr: 1, eps: 1, weightDecay: 0 });
  const parallel = await DataParallel.start<TestReplicaConfig, TestPayload>({
    replicas,
    module: MODULE,
    config: { training, backend },
    local,
    optimizer,
    maxBatchSize: 8,
    outputDim: 4,
    timeoutSeconds,
  });
  return { local, optimizer, parallel };
}

async function weights(model: { parameters(): Map<string, tf.Variable> }): Promise<Float32Array[]> {
  return await Promise.all(
    [...model.parameters().values()].map(async (v) => await v.data() as Float32Array),
  );
}

/** One step of `replicas` against the single-process step: the weights' change must agree. */
async function assertSingleProcessStep(
  replicas: number,
  training: boolean,
  backend?: "native",
): Promise<void> {
  const single = await createReplica({ training, backend });
  const before = await weights(single.model);
  const optimizer = new AdamW(single.model.parameters(), { lr: 1, eps: 1, weightDecay: 0 });
  const views = batchViews(11, 7);
  const expected = await trainStep(
    single.model,
    optimizer,
    () => single.loss(single.forward(views), { seed: 11 }),
  );
  views.dispose();
  const { local, optimizer: o2, parallel } = await group(replicas, training, undefined, backend);
  const got = await parallel.step(7, () => ({ seed: 11 }));
  assert.ok(
    Math.abs(got.loss - expected.loss) < 1e-6 * expected.loss,
    `${got.loss} vs ${expected.loss}`,
  );
  assert.deepEqual(got.metrics, expected.metrics);
  const [a, b] = [await weights(single.model), await weights(local.model)];
  let worst = 0, largest = 0;
  a.forEach((w, i) =>
    w.forEach((v, j) => {
      largest = Math.max(largest, Math.abs(v - before[i][j]));
      worst = Math.max(worst, Math.abs(v - b[i][j]));
    })
  );
  // oneDNN's blocked sums reassociate more than the cpu kernels' (measured 1.3e-5 of the largest)
  const tolerance = backend === "native" ? 1e-4 : 1e-5;
  assert.ok(worst < tolerance * largest, `weight change error ${worst} of ${largest}`);
  // BatchNorm's running statistics are the whole batch's too.
  const buffers = (m: typeof single.model) => [...m.buffers().values()].map((v) => v.dataSync());
  const [runningSingle, runningLocal] = [buffers(single.model), buffers(local.model)];
  runningSingle.forEach((v, i) =>
    v.forEach((x, j) => assert.ok(Math.abs(x - runningLocal[i][j]) <= 1e-5 * (1 + Math.abs(x))))
  );
  parallel.close();
  [optimizer, o2].forEach((o) => o.dispose());
  [single, local].forEach((r) => r.model.dispose());
}

Deno.test("`DataParallel` gives the single-process gradient when the parts are independent", async () => {
  await assertSingleProcessStep(2, false);
});

Deno.test("`DataParallel` gives the single-process gradient with BatchNorm in training mode", async () => {
  // SyncBatchNorm: the whole batch's statistics, forward and backward, on 3 uneven parts.
  await assertSingleProcessStep(3, true);
});

const native = await selectBackend("native", { log: null }).then(() => true, () => false);
await selectBackend("cpu", { log: null });

Deno.test({
  name: "`DataParallel` on the native backend gives the single-process gradient (SyncBatchNorm)",
  ignore: !native,
  fn: async () => {
    await assertSingleProcessStep(2, true, "native");
    await selectBackend("cpu", { log: null });
  },
});

Deno.test("`DataParallel` replicas stay bit-identical over several steps", async () => {
  const { local, optimizer, parallel } = await group(3, true);
  const counts: number[] = [];
  for (let step = 0; step < 3; step++) {
    optimizer.lr = 0.1 / (step + 1);
    const { loss } = await parallel.step(8, () => ({ seed: 20 + step }));
    assert.ok(Number.isFinite(loss));
    counts.push(tf.memory().numTensors);
  }
  // After the first step (which creates the optimiser's moments), no step leaks a tensor.
  assert.deepEqual(counts.slice(1), [counts[0], counts[0]]);
  const sums = await parallel.checksums();
  assert.equal(sums.length, 3);
  assert.equal(new Set(sums).size, 1, `replica digests differ: ${sums}`);
  parallel.close();
  optimizer.dispose();
  local.model.dispose();
});

Deno.test("`DataParallel` with `fit()` resumes exactly, and a failing replica ends the run", async () => {
  const run = async (epochs: number, outDir: string, fail = false) => {
    const { local, optimizer, parallel } = await group(2, true, 30);
    try {
      return await fit({
        model: local.model,
        optimizer,
        epochs,
        stepsPerEpoch: 2,
        batches: async function* (epoch) {
          for (let step = 0; step < 2; step++) yield 1 + 100 * epoch + step; // tfjs: seed 0 is no seed
        },
        step: async (seed: number) => ({
          ...await parallel.step(6, (part) => ({ seed, fail: fail && part.start > 0 })),
          images: 12,
        }),
        outDir,
        resume: true,
        log: null,
      }).then(async () => await weights(local.model));
    } finally {
      parallel.close();
      optimizer.dispose();
      local.model.dispose();
    }
  };
  const [whole, parted] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
  const uninterrupted = await run(2, whole);
  await run(1, parted);
  assert.deepEqual(await run(2, parted), uninterrupted);
  // A replica that throws: every replica stops, the error names it, the checkpoint stays.
  const checkpoint = await Deno.readFile(`${parted}/checkpoints/last.safetensors`);
  await assert.rejects(() => run(3, parted, true), (error: Error) => {
    assert.ok(error instanceof ReplicaError, String(error));
    assert.match(error.message, /replica 1 failed: Error: a replica failed on purpose/);
    return true;
  });
  assert.deepEqual(await Deno.readFile(`${parted}/checkpoints/last.safetensors`), checkpoint);
  for (const dir of [whole, parted]) await Deno.remove(dir, { recursive: true });
});

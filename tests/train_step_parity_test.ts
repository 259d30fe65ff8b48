// One full SimCLR training step (forward in training mode, InfoNCE, gradients, AdamW, BatchNorm
// running statistics) on cpu, wasm and webgpu against PyTorch, from the same weights and batch.
// The reference is train/testdata/step_fixture.safetensors, made by tools/make_step_fixtures.py
// (its docstring describes the keys); every setting (lr, weight decay, temperature, width, ...)
// is read from it. The raw gradients are compared (Adam's first step hardly depends on their
// scale), then the weights after AdamW's step (which shows the decoupled weight decay).
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { type BackendName, selectBackend } from "@simclr/backends";
import { loadSafetensors, simclrNet } from "@simclr/models";
import { AdamW, computeGradients, contrastiveLoss } from "@simclr/train";

const FIXTURE = new URL("../train/testdata/step_fixture.safetensors", import.meta.url).pathname;

// Tolerances, about five times the largest errors measured on cpu, wasm and webgpu (software
// Vulkan), which are at the level of float32 rounding: torch's own loss in float32 and float64
// differ by 2.5e-7 (relative).
const LOSS_TOL = 5e-6; // relative
const STATS_TOL = 5e-6; // relative to the largest |value| of each running statistic
// Gradients relative to each tensor's largest |gradient|: torch's own float32 and float64
// gradients differ by up to 1.4e-5 of it.
const GRAD_TOL = 1e-4;
// Adam's first step moves every weight by lr * g / (|g| + eps), i.e. by about +-lr whatever the
// gradient's size, so the weights test the sign of every gradient element, and the weight
// change is compared in units of lr. The reference change is stored in float16 (error up to
// 4.9e-4 near 1) and float32 weights near 1.5 resolve 1.2e-4 of lr: together up to 7.3e-4.
const CHANGE_TOL = 1e-3; // in units of lr
// Elements whose torch gradient is below 1e-5 of their tensor's largest are listed in the
// fixture (`smallgrad.<key>`). Where torch did not move them (gradient below Adam's eps: exact
// zeros behind dead ReLUs in layer4 and the head) they must not move here either, as exact
// zeros stay exact on every backend. The others are gradients that are zero up to float32
// rounding (torch's own float32 and float64 gradients differ by up to 1.4e-5 of the tensor's
// largest), so the size of their step, lr * g / (|g| + eps), hangs on rounding: they are
// skipped, and only their number is bounded (26 of 46,232 in this fixture).
const MAX_SKIPPED = 100;

/** Our metric names to the fixture's (the tutorial's `top1`, `top5`, `meanPos`). */
const METRICS = { acc_top1: "top1", acc_top5: "top5", acc_mean_pos: "meanPos" };

interface StepErrors {
  loss: number;
  grad: number;
  change: number;
  stats: number;
  skipped: number;
}

async function values(t: tf.Tensor): Promise<Float32Array | Int32Array> {
  return (await t.data()) as Float32Array | Int32Array; // async: webgpu has no dataSync
}

function scalar(metadata: Record<string, string>, key: string): number {
  const value = Number(metadata[key]);
  assert.ok(Number.isFinite(value), `fixture metadata ${key}: ${metadata[key]}`);
  return value;
}

/** Runs the step on `backend` and returns its errors against PyTorch (asserting nothing). */
async function stepErrors(backend: BackendName): Promise<StepErrors> {
  await selectBackend(backend, { log: null });
  const { tensors, metadata } = await loadSafetensors(FIXTURE);
  const lr = scalar(metadata, "lr");
  const weightDecay = scalar(metadata, "weightDecay");
  const temperature = scalar(metadata, "temperature");
  const start = tf.memory().numTensors;
  const model = simclrNet({
    width: scalar(metadata, "width"),
    hiddenDim: scalar(metadata, "hiddenDim"),
    stem: metadata.stem as "cifar" | "imagenet",
  });
  const before = new Map(
    [...tensors].filter(([k]) => k.startsWith("before.")).map(([k, t]) => [k.slice(7), t]),
  );
  model.loadStateDict(before); // strict: every key, nothing extra
  const views = tensors.get("input") as tf.Tensor4D; // [2 * 6, 16, 16, 3], view-major

  // The step, as trainStep() runs it: gradients by parameter name, then AdamW.
  const optimizer = new AdamW(model.parameters(), { lr, weightDecay });
  const { loss: value, metrics, grads } = computeGradients(
    model,
    () => contrastiveLoss(model, views, { temperature }),
  );
  const errors: StepErrors = { loss: 0, grad: 0, change: 0, stats: 0, skipped: 0 };
  for (const [key, grad] of grads) {
    // Our layout to PyTorch's, as the state dict converts: conv HWIO -> OIHW, linear transposed.
    const torchLayout = tf.tidy(() =>
      grad.rank === 4
        ? tf.transpose(grad, [3, 2, 0, 1])
        : grad.rank === 2
        ? tf.transpose(grad)
        : grad.clone()
    );
    const got = await values(torchLayout);
    const expected = await values(tensors.get(`grad.${key}`)!);
    torchLayout.dispose();
    const scale = Math.max(...expected.map(Math.abs));
    for (let i = 0; i < got.length; i++) {
      errors.grad = Math.max(errors.grad, Math.abs(got[i] - expected[i]) / scale);
    }
  }
  optimizer.step(grads);

  const loss = (await values(value))[0];
  errors.loss = Math.abs(loss - scalar(metadata, "loss")) / Math.abs(scalar(metadata, "loss"));
  // The ranking metrics are discrete: they match exactly or the features differ a lot.
  for (const [ours, theirs] of Object.entries(METRICS)) {
    const got = (await values(metrics[ours]))[0];
    const expected = scalar(metadata, theirs);
    assert.ok(Math.abs(got - expected) < 1e-6, `${backend} ${ours}: ${got}, torch ${expected}`);
  }

  const after = model.stateDict(); // PyTorch layout, torchvision keys
  assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort());
  for (const [key, tensor] of after) {
    const got = await values(tensor);
    const change = tensors.get(`change.${key}`);
    if (change) {
      // A parameter: compare (after - before) / lr.
      const initial = await values(before.get(key)!);
      const expected = await values(change);
      const small = tensors.get(`smallgrad.${key}`);
      const skip = new Set(small ? await values(small) : []);
      for (let i = 0; i < got.length; i++) {
        const moved = (got[i] - initial[i]) / lr;
        if (skip.has(i) && Math.abs(expected[i]) > 0.5) {
          errors.skipped++;
          continue;
        }
        errors.change = Math.max(errors.change, Math.abs(moved - expected[i]));
      }
    } else if (key.endsWith("num_batches_tracked")) {
      const expected = await values(tensors.get(`after.${key}`)!);
      assert.equal(got[0], expected[0], key);
    } else {
      // running_mean / running_var after PyTorch's momentum update with the unbiased variance.
      const expected = await values(tensors.get(`after.${key}`)!);
      const scale = Math.max(...expected.map(Math.abs));
      for (let i = 0; i < got.length; i++) {
        errors.stats = Math.max(errors.stats, Math.abs(got[i] - expected[i]) / scale);
      }
    }
  }
  tf.dispose([value, ...grads.values(), ...Object.values(metrics), ...after.values()]);
  optimizer.dispose();
  model.dispose();
  assert.equal(tf.memory().numTensors, start, "tensors leaked");
  tf.dispose([...tensors.values()]);
  return errors;
}

function check(backend: BackendName, errors: StepErrors): void {
  console.log(`${backend}: ${JSON.stringify(errors)}`);
  assert.ok(errors.loss < LOSS_TOL, `${backend}: loss relative error ${errors.loss}`);
  assert.ok(errors.grad < GRAD_TOL, `${backend}: gradient error ${errors.grad} of the largest`);
  assert.ok(errors.change < CHANGE_TOL, `${backend}: weight change error ${errors.change} lr`);
  assert.ok(errors.stats < STATS_TOL, `${backend}: running statistics error ${errors.stats}`);
  assert.ok(errors.skipped < MAX_SKIPPED, `${backend}: ${errors.skipped} elements skipped`);
}

const NAME =
  "`computeGradients()` and `AdamW` on BACKEND give PyTorch's loss, weights and BatchNorm statistics";

for (const backend of ["cpu", "wasm"] as const) {
  Deno.test(NAME.replace("BACKEND", backend), async () => {
    check(backend, await stepErrors(backend));
  });
}

// The native CPU backend needs oneDNN (libdnnl.so.2).
const native = await selectBackend("native", { log: null }).then(() => true, () => false);
if (!native) console.warn("skipping the native training-step parity test: no libdnnl.so.2");

Deno.test({
  name: NAME.replace("BACKEND", "native"),
  ignore: !native,
  fn: async () => {
    check("native", await stepErrors("native"));
  },
});

// WebGPU needs an adapter (software Vulkan works; selectBackend gives it an XDG_RUNTIME_DIR).
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
if (!adapter) console.warn("skipping the webgpu training-step parity test: no WebGPU adapter");

Deno.test({
  name: NAME.replace("BACKEND", "webgpu"),
  ignore: !adapter,
  fn: async () => {
    check("webgpu", await stepErrors("webgpu"));
  },
});

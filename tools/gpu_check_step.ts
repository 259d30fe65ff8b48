// Copyright 2026 the simclr authors. MIT license.
// Part of tools/gpu-check.sh: one SimCLR training step (ResNet-18, the tutorial's head) on
// webgpu against the same step on cpu, from the same weights and batch: the adapter, the loss,
// and the largest gradient error relative to each tensor's largest gradient, as one JSON line.
//
//   deno run -A tools/gpu_check_step.ts [BATCH] [SIZE]    # default 16 images x 2 views, 64 px
//
// Smaller steps are ill-conditioned: with 4 images at 32 px, layer4's BatchNorm normalises 8
// values per channel, and cpu and wasm already differ by 5% in some gradients.
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "@simclr/backends";
import { simclrNet } from "@simclr/models";
import { computeGradients, contrastiveLoss } from "@simclr/train";

const [batch = 16, size = 64] = Deno.args.map(Number);

async function step(backend: "cpu" | "webgpu") {
  const selected = await selectBackend(backend, { log: null });
  const net = simclrNet({ hiddenDim: 128, seed: 7 });
  const views = tf.randomUniform([2 * batch, size, size, 3], -1, 1, "float32", 11) as tf.Tensor4D;
  const { loss, metrics, grads } = computeGradients(net, () => contrastiveLoss(net, views));
  const out = new Map<string, Float32Array>();
  for (const [name, g] of grads) out.set(name, (await g.data()) as Float32Array);
  const value = (await loss.data())[0];
  tf.dispose([loss, views, ...Object.values(metrics), ...grads.values()]);
  net.dispose();
  return { device: selected.device, loss: value, grads: out };
}

const web = await step("webgpu");
const cpu = await step("cpu");
let worst = 0, worstName = "";
for (const [name, g] of cpu.grads) {
  const h = web.grads.get(name)!;
  let scale = 1e-12, diff = 0;
  for (let k = 0; k < g.length; k++) {
    scale = Math.max(scale, Math.abs(g[k]));
    diff = Math.max(diff, Math.abs(g[k] - h[k]));
  }
  if (diff / scale > worst) [worst, worstName] = [diff / scale, name];
}
const lossError = Math.abs(cpu.loss - web.loss) / Math.abs(cpu.loss);
const pass = lossError < 1e-4 && worst < 1e-3;
console.log(JSON.stringify({
  adapter: web.device,
  software: /llvmpipe|lavapipe|swiftshader|software/i.test(web.device),
  step_batch: batch,
  step_size: size,
  step_loss_cpu: cpu.loss,
  step_loss_webgpu: web.loss,
  step_loss_relative_error: lossError,
  step_grad_relative_error: worst,
  step_grad_worst: worstName,
  step_check: pass ? "pass" : "fail",
}));
Deno.exit(pass ? 0 : 1);

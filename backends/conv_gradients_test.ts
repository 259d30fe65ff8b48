import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import assert from "node:assert/strict";
import { registerFastConvGradients, unregisterFastConvGradients } from "./conv_gradients.ts";
import { registerWasmKernelFixes } from "./wasm_kernels.ts";
import { simclrNet } from "@simclr/models";
import { infoNCE } from "@simclr/losses";
import {
  type ConvCase,
  disposeCases,
  loadConvCases,
  maxAbsDiff,
  tapeGrads,
} from "./_test_utils.ts";

const TOL = 1e-4;

async function gradErrors(cases: ConvCase[], fused: boolean): Promise<number> {
  let worst = 0;
  for (const c of cases) {
    const before = tf.memory().numTensors;
    const [dx, dw] = tapeGrads(c, fused);
    assert.equal(tf.memory().numTensors, before + 2, `${c.name}: tensors leaked`);
    const e = Math.max(await maxAbsDiff(dx, c.dx), await maxAbsDiff(dw, c.dw));
    assert.ok(e < TOL, `${c.name} (fused: ${fused}): max error ${e}`);
    worst = Math.max(worst, e);
    tf.dispose([dx, dw]);
  }
  return worst;
}

Deno.test("`registerFastConvGradients()` makes wasm conv2d and fused.conv2d gradients equal PyTorch's", async () => {
  registerFastConvGradients();
  await tf.setBackend("wasm");
  const cases = loadConvCases();
  const plain = await gradErrors(cases, false);
  const fused = await gradErrors(cases, true);
  disposeCases(cases);
  console.log(
    `wasm max error vs torch: conv2d ${plain.toExponential(2)}, fused ${fused.toExponential(2)}`,
  );
});

// WebGPU needs an adapter (Mesa's software Vulkan does); it needs a runtime directory.
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
await import("@tensorflow/tfjs-backend-webgpu");
const adapter = await navigator.gpu?.requestAdapter().catch(() => null);

Deno.test({
  name:
    "`registerFastConvGradients(['webgpu'])` gives PyTorch's gradients on webgpu, filter kernel ours",
  ignore: !adapter,
  fn: async () => {
    const stock = tf.getKernel("Conv2DBackpropFilter", "webgpu");
    registerFastConvGradients(["webgpu"]);
    assert.notEqual(tf.getKernel("Conv2DBackpropFilter", "webgpu"), stock);
    assert.ok(await tf.setBackend("webgpu"));
    const cases = loadConvCases();
    const plain = await gradErrors(cases, false);
    const fused = await gradErrors(cases, true);
    disposeCases(cases);
    console.log(
      `webgpu max error vs torch: conv2d ${plain.toExponential(2)}, fused ${
        fused.toExponential(2)
      }`,
    );
    unregisterFastConvGradients(["webgpu"]);
    assert.equal(tf.getKernel("Conv2DBackpropFilter", "webgpu"), stock);
    await tf.setBackend("wasm");
  },
});

Deno.test({
  name: "`registerFastConvGradients(['webgpu'])` sums a large batch's filter gradient in chunks",
  ignore: !adapter,
  fn: async () => {
    registerFastConvGradients(["webgpu"]);
    assert.ok(await tf.setBackend("webgpu"));
    // 1,200 images of 64 x 64 x 3: in one convolution this came back as zeros. With ones in
    // and ones back, tap (i, j) of a 3 x 3 "same" filter sums N * (64 - |i - 1|) * (64 - |j - 1|)
    // ones per input channel: integers below 2^24, exact in float32 in any order.
    const [n, size] = [1200, 64];
    const x = tf.ones([n, size, size, 3]) as tf.Tensor4D;
    const dy = tf.ones([n, size, size, 2]) as tf.Tensor4D;
    const w = tf.zeros([3, 3, 3, 2]) as tf.Tensor4D;
    const dw = tf.grad((f: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 1, "same"), dy))
    )(w);
    const got = await dw.data();
    tf.dispose([x, dy, w, dw]);
    const expected: number[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const taps = n * (size - Math.abs(i - 1)) * (size - Math.abs(j - 1));
        for (let k = 0; k < 3 * 2; k++) expected.push(taps);
      }
    }
    assert.deepEqual([...got], expected);
    unregisterFastConvGradients(["webgpu"]);
    await tf.setBackend("wasm");
  },
});

Deno.test("`registerFastConvGradients()` is idempotent and undone by `unregisterFastConvGradients()`", () => {
  const stockInput = tf.getKernel("Conv2DBackpropInput", "wasm");
  unregisterFastConvGradients();
  const original = tf.getKernel("Conv2DBackpropInput", "wasm");
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined);
  assert.notEqual(original, undefined);
  registerFastConvGradients();
  const ours = tf.getKernel("Conv2DBackpropFilter", "wasm");
  registerFastConvGradients();
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), ours);
  assert.notEqual(tf.getKernel("Conv2DBackpropInput", "wasm"), original);
  unregisterFastConvGradients(["wasm"]);
  assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm"), original);
  assert.equal(tf.getKernel("Conv2DBackpropFilter", "wasm"), undefined);
  registerFastConvGradients();
  assert.notEqual(stockInput, undefined);
  assert.throws(() => registerFastConvGradients([""]), {
    name: "TypeError",
    message:
      'registerFastConvGradients(): backends[0] is "": expected a backend name such as "wasm"',
  });
  // importing the backend's package after registering puts its stock kernel back over ours
  const oursInput = tf.getKernel("Conv2DBackpropInput", "wasm");
  tf.unregisterKernel("Conv2DBackpropInput", "wasm");
  tf.registerKernel(original);
  registerFastConvGradients();
  assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm"), oursInput);
  unregisterFastConvGradients();
  assert.equal(tf.getKernel("Conv2DBackpropInput", "wasm"), original);
  registerFastConvGradients();
});

/** Loss and gradients of one SimCLR step of a narrow ResNet-18 on the active backend. */
async function step(): Promise<{ loss: number; grads: Map<string, Float32Array> }> {
  const net = simclrNet({ hiddenDim: 8, width: 4, seed: 3 });
  const x = tf.randomUniform([8, 32, 32, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const params = net.parameters();
  const names = [...params.keys()];
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(
    () => infoNCE(net.apply(x, { training: true }), { temperature: 0.07 }).loss,
    [...params.values()],
  );
  const out = new Map<string, Float32Array>();
  for (const name of names) {
    out.set(name, (await grads[params.get(name)!.name].data()) as Float32Array);
  }
  const loss = (await value.data())[0];
  tf.dispose([value, ...Object.values(grads)]);
  assert.equal(tf.memory().numTensors, before, "training step leaked tensors");
  x.dispose();
  net.dispose();
  return { loss, grads: out };
}

Deno.test("`registerFastConvGradients()` gives a full SimCLR training step on wasm the loss and gradients of cpu", async () => {
  registerFastConvGradients();
  registerWasmKernelFixes();
  await tf.setBackend("cpu");
  const ref = await step();
  await tf.setBackend("wasm");
  const got = await step();
  assert.ok(Math.abs(ref.loss - got.loss) < 1e-4, `loss ${got.loss} vs cpu ${ref.loss}`);
  let worst = 0;
  for (const [name, g] of ref.grads) {
    const h = got.grads.get(name)!;
    let scale = 1e-3, diff = 0;
    for (let i = 0; i < g.length; i++) {
      scale = Math.max(scale, Math.abs(g[i]));
      diff = Math.max(diff, Math.abs(g[i] - h[i]));
    }
    worst = Math.max(worst, diff / scale);
    assert.ok(diff / scale < 2e-3, `${name}: relative error ${diff / scale}`);
  }
  console.log(
    `step on wasm vs cpu: loss ${got.loss} vs ${ref.loss}, grad rel. error ${
      worst.toExponential(2)
    }`,
  );
});

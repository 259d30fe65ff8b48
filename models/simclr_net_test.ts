import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { countParameters } from "./count_parameters.ts";
import { loadSafetensors } from "./load_safetensors.ts";
import { loadTorchCheckpoint } from "./load_torch_checkpoint.ts";
import { type SimCLRNet, simclrNet } from "./simclr_net.ts";
import { parity, testdata } from "./_test_utils.ts";

await tf.setBackend("cpu");

/** Loads a Lightning-style checkpoint + io fixture into a new net and checks parity. */
async function checkParity(ckpt: string, io: string, build: () => SimCLRNet): Promise<void> {
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(ckpt);
  const net = build();
  assert.deepStrictEqual(hyperParameters.hidden_dim, net.hiddenDim);
  net.loadStateDict(stateDict, { prefix: "convnet." });
  tf.dispose([...stateDict.values()]);
  const { tensors } = await loadSafetensors(io);
  const before = tf.memory().numTensors;
  const errors = await parity(net, tensors, net.encoder);
  assert.deepStrictEqual(tf.memory().numTensors, before);
  console.log(`relative errors vs PyTorch: ${JSON.stringify(errors)}`);
  assert.ok(errors.eval < 1e-4, `eval error ${errors.eval}`);
  assert.ok(errors.encoder! < 1e-4, `encoder error ${errors.encoder}`);
  assert.ok(errors.train < 1e-4, `training error ${errors.train}`);
  assert.ok(errors.buffers < 1e-4, `running stats error ${errors.buffers}`);
  assert.ok(errors.numBatchesTracked, "num_batches_tracked");
  tf.dispose([...tensors.values()]);
  net.dispose();
}

Deno.test("`simclrNet()` matches the tutorial's convnet in PyTorch (width 3)", async () => {
  await checkParity(
    testdata("simclr_w3.ckpt"),
    testdata("simclr_w3_io.safetensors"),
    () => simclrNet({ hiddenDim: 16, width: 3 }),
  );
});

const python = "/usr/bin/python3";
function hasTorch(): boolean {
  try {
    return new Deno.Command(python, { args: ["-c", "import torch, torchvision"] }).outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "`simclrNet()` matches torchvision's full-width resnet18 convnet (made at test time)",
  ignore: !hasTorch(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const script = new URL("../tools/make_models_fixtures.py", import.meta.url).pathname;
      const out = await new Deno.Command(python, { args: [script, "--full", "--out", dir] })
        .output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      await checkParity(
        `${dir}/simclr_full.ckpt`,
        `${dir}/simclr_full_io.safetensors`,
        () => simclrNet({ hiddenDim: 128 }),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
if (!hasTorch()) {
  console.warn(
    `skipping the full-width parity test: ${python} with torch and torchvision is missing`,
  );
}

Deno.test("`simclrNet()` has the tutorial's head and an encoder sharing its variables", () => {
  const net = simclrNet();
  assert.deepStrictEqual([net.encoder.featureDim, net.hiddenDim], [512, 128]);
  assert.deepStrictEqual(net.head.sizes, [512, 512, 128]);
  // resnet18 body (11,689,512 - 513,000 fc) + Linear(512, 512) + Linear(512, 128)
  assert.deepStrictEqual(countParameters(net), 11_689_512 - 513_000 + 262_656 + 65_664);
  const params = net.parameters();
  assert.deepStrictEqual(params.get("fc.0.weight")!.shape, [512, 512]);
  assert.deepStrictEqual(params.get("fc.2.weight")!.shape, [512, 128]);
  const enc = net.encoder.parameters();
  assert.deepStrictEqual(enc.size, params.size - 4);
  assert.ok([...enc.keys()].every((k) => !k.startsWith("fc.")));
  assert.ok(enc.get("layer4.1.conv2.weight") === params.get("layer4.1.conv2.weight"));
  assert.ok(
    net.encoder.buffers().get("bn1.running_mean") === net.buffers().get("bn1.running_mean"),
  );
  assert.ok(net.encoder.noDecayNames().has("bn1.weight"));
  net.dispose();
  assert.ok(params.get("conv1.weight")!.isDisposed);
  assert.ok(params.get("fc.2.bias")!.isDisposed);
});

Deno.test("`simclrNet().encoder.dispose()` frees the encoder only", () => {
  const net = simclrNet({ hiddenDim: 4, width: 2 });
  const before = tf.memory().numTensors;
  const encoderSize = net.encoder.parameters().size + net.encoder.buffers().size;
  net.encoder.dispose();
  assert.equal(tf.memory().numTensors, before - encoderSize);
  assert.ok(net.parameters().get("conv1.weight")!.isDisposed);
  const h = tf.ones([2, 16]) as tf.Tensor2D;
  const z = net.head.apply(h, { training: false }); // the head still works
  assert.deepStrictEqual(z.shape, [2, 4]);
  tf.dispose([h, z]);
  net.dispose();
  assert.equal(tf.memory().numTensors, before - encoderSize - 4);
});

Deno.test("`simclrNet().encoder` outputs h: the head's input", () => {
  const net = simclrNet({ hiddenDim: 4, width: 2, seed: 5 });
  const x = tf.randomUniform([3, 16, 16, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const h = net.encoder.apply(x, { training: false });
    assert.deepStrictEqual(h.shape, [3, 16]);
    const p = net.parameters();
    // z = relu(h W0 + b0) W2 + b2
    const hidden = tf.relu(tf.add(tf.matMul(h, p.get("fc.0.weight")!), p.get("fc.0.bias")!));
    const z = tf.add(tf.matMul(hidden, p.get("fc.2.weight")!), p.get("fc.2.bias")!);
    const zNet = net.apply(x, { training: false });
    assert.deepStrictEqual(zNet.shape, [3, 4]);
    assert.ok(tf.max(tf.abs(tf.sub(z, zNet))).dataSync()[0] < 1e-6);
  });
  assert.deepStrictEqual(tf.memory().numTensors, before);
  // The encoder's state dict is the body's; loading it leaves the head alone.
  const state = net.encoder.stateDict();
  assert.ok(!state.has("fc.0.weight") && state.has("layer1.0.bn1.running_var"));
  assert.deepStrictEqual(net.encoder.loadStateDict(state).missing, []);
  tf.dispose([x, ...state.values()]);
  net.dispose();
});

Deno.test("`simclrNet()` rejects a bad hiddenDim", () => {
  assert.throws(() => simclrNet({ hiddenDim: -1 }), {
    name: "RangeError",
    message: "simclrNet(): hiddenDim is -1: expected a positive integer",
  });
});

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { assert, assertEquals, assertThrows } from "./_assert.ts";
import { countParameters } from "./count_parameters.ts";
import { loadSafetensors } from "./load_safetensors.ts";
import { loadTorchCheckpoint } from "./load_torch_checkpoint.ts";
import { type SimCLRNet, simclrNet } from "./simclr_net.ts";
import { parity, testdata } from "./_test_util.ts";

await tf.setBackend("cpu");

/** Loads a Lightning-style checkpoint + io fixture into a new net and checks parity. */
async function checkParity(ckpt: string, io: string, build: () => SimCLRNet): Promise<void> {
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(ckpt);
  const net = build();
  assertEquals(hyperParameters.hidden_dim, net.hiddenDim);
  net.loadStateDict(stateDict, { prefix: "convnet." });
  tf.dispose([...stateDict.values()]);
  const { tensors } = await loadSafetensors(io);
  const before = tf.memory().numTensors;
  const errors = await parity(net, tensors, net.encoder);
  assertEquals(tf.memory().numTensors, before);
  console.log(`relative errors vs PyTorch: ${JSON.stringify(errors)}`);
  assert(errors.eval < 1e-4, `eval error ${errors.eval}`);
  assert(errors.encoder! < 1e-4, `encoder error ${errors.encoder}`);
  assert(errors.train < 1e-4, `training error ${errors.train}`);
  assert(errors.buffers < 1e-4, `running stats error ${errors.buffers}`);
  assert(errors.numBatchesTracked, "num_batches_tracked");
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
      assert(out.success, new TextDecoder().decode(out.stderr));
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
  assertEquals([net.featureDim, net.hiddenDim], [512, 128]);
  // resnet18 body (11,689,512 - 513,000 fc) + Linear(512, 512) + Linear(512, 128)
  assertEquals(countParameters(net), 11_689_512 - 513_000 + 262_656 + 65_664);
  const params = net.parameters();
  assertEquals(params.get("fc.0.weight")!.shape, [512, 512]);
  assertEquals(params.get("fc.2.weight")!.shape, [512, 128]);
  const enc = net.encoder.parameters();
  assertEquals(enc.size, params.size - 4);
  assert([...enc.keys()].every((k) => !k.startsWith("fc.")));
  assert(enc.get("layer4.1.conv2.weight") === params.get("layer4.1.conv2.weight"));
  assert(net.encoder.buffers().get("bn1.running_mean") === net.buffers().get("bn1.running_mean"));
  assert(net.encoder.noDecayNames().has("bn1.weight"));
  net.dispose();
  assert(params.get("conv1.weight")!.isDisposed);
});

Deno.test("`simclrNet().encoder` outputs h: the head's input", () => {
  const net = simclrNet({ hiddenDim: 4, width: 2, seed: 5 });
  const x = tf.randomUniform([3, 16, 16, 3], 0, 1, "float32", 2) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    const h = net.encoder.apply(x, { training: false });
    assertEquals(h.shape, [3, 16]);
    const p = net.parameters();
    // z = relu(h W0 + b0) W2 + b2
    const hidden = tf.relu(tf.add(tf.matMul(h, p.get("fc.0.weight")!), p.get("fc.0.bias")!));
    const z = tf.add(tf.matMul(hidden, p.get("fc.2.weight")!), p.get("fc.2.bias")!);
    const zNet = net.apply(x, { training: false });
    assertEquals(zNet.shape, [3, 4]);
    assert(tf.max(tf.abs(tf.sub(z, zNet))).dataSync()[0] < 1e-6);
  });
  assertEquals(tf.memory().numTensors, before);
  // The encoder's state dict is the body's; loading it leaves the head alone.
  const state = net.encoder.stateDict();
  assert(!state.has("fc.0.weight") && state.has("layer1.0.bn1.running_var"));
  assertEquals(net.encoder.loadStateDict(state).missing, []);
  tf.dispose([x, ...state.values()]);
  net.dispose();
});

Deno.test("`simclrNet()` rejects a bad hiddenDim", () => {
  assertThrows(
    () => simclrNet({ hiddenDim: -1 }),
    RangeError,
    "hiddenDim must be a positive integer",
  );
});

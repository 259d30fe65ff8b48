import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { loadSafetensors } from "./load_safetensors.ts";
import { loadTorchCheckpoint } from "./load_torch_checkpoint.ts";
import { simclrNet } from "./simclr_net.ts";
import { parity, testdata } from "./_test_utils.ts";

/** Runs the width-3 PyTorch parity check on `backend`, then returns to cpu. */
async function parityOn(backend: string): Promise<void> {
  assert.ok(await tf.setBackend(backend), `backend ${backend} failed to initialise`);
  try {
    const { stateDict } = await loadTorchCheckpoint(testdata("simclr_w3.ckpt"));
    const net = simclrNet({ hiddenDim: 16, width: 3 });
    net.loadStateDict(stateDict, { prefix: "convnet." });
    tf.dispose([...stateDict.values()]);
    const { tensors } = await loadSafetensors(testdata("simclr_w3_io.safetensors"));
    const before = tf.memory().numTensors;
    const errors = await parity(net, tensors, net.encoder);
    assert.ok(tf.memory().numTensors === before, "tensors leaked");
    console.log(`${backend}: ${JSON.stringify(errors)}`);
    for (const key of ["eval", "encoder", "train", "buffers"] as const) {
      assert.ok(errors[key]! < 1e-4, `${backend} ${key} error ${errors[key]}`);
    }
    assert.ok(errors.numBatchesTracked);
    tf.dispose([...tensors.values()]);
    net.dispose();
  } finally {
    await tf.setBackend("cpu");
  }
}

Deno.test("`simclrNet()` matches PyTorch on the wasm backend", async () => {
  await parityOn("wasm");
});

// WebGPU needs an adapter (software Vulkan works; it wants XDG_RUNTIME_DIR to exist).
if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
if (!adapter) console.warn("skipping the webgpu parity test: no WebGPU adapter");

Deno.test({
  name: "`simclrNet()` matches PyTorch on the webgpu backend",
  ignore: !adapter,
  fn: async () => {
    await import("@tensorflow/tfjs-backend-webgpu");
    await parityOn("webgpu");
  },
});

// The native CPU backend's kernels (oneDNN through Deno's FFI on the wasm heap) against PyTorch
// (backends/testdata: tools/make_conv_grad_fixtures.py, tools/make_native_fixtures.py) and
// against tfjs-wasm's own kernels, on odd shapes: stride 2 with odd sides, 1x1 downsampling,
// the 7x7 stem with padding 3, batch 1, 3 input channels.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "./select_backend.ts";
import { openDnnl } from "./_dnnl.ts";
import {
  disposeCases,
  kernelFilterGrad,
  kernelInputGrad,
  loadConvCases,
  maxAbsDiff,
} from "./_test_utils.ts";

const available = "dnnl" in openDnnl(1);
const TOL = 1e-4;

/** Runs `f` on wasm and on native; returns both results (caller disposes). */
async function onBoth<T extends tf.Tensor | tf.Tensor[]>(f: () => T): Promise<[T, T]> {
  await selectBackend("wasm", { log: null });
  const wasm = f();
  await selectBackend("native", { log: null });
  const native = f();
  return [wasm, native];
}

Deno.test({
  name: "`selectBackend('native')` runs convolutions and their gradients as PyTorch and wasm do",
  ignore: !available,
  fn: async () => {
    await selectBackend("native", { log: null });
    const cases = loadConvCases();
    const before = tf.memory().numTensors;
    for (const c of cases) {
      const [wasmY, nativeY] = await onBoth(() => tf.conv2d(c.x, c.w, c.stride, c.pad));
      assert.ok(await maxAbsDiff(nativeY, wasmY) < TOL, `${c.name}: forward differs from wasm`);
      await selectBackend("native", { log: null });
      const dx = kernelInputGrad(c), dw = kernelFilterGrad(c);
      const ex = await maxAbsDiff(dx, c.dx), ew = await maxAbsDiff(dw, c.dw);
      assert.ok(ex < TOL && ew < TOL, `${c.name}: dx error ${ex}, dw error ${ew} against torch`);
      const [wasmDx, nativeDx] = await onBoth(() => kernelInputGrad(c));
      assert.ok(await maxAbsDiff(nativeDx, wasmDx) < TOL, `${c.name}: dx differs from wasm`);
      tf.dispose([wasmY, nativeY, dx, dw, wasmDx, nativeDx]);
    }
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    disposeCases(cases);
  },
});

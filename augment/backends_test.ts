// The pipeline on the wasm and webgpu backends against the same torchvision reference.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import assert from "node:assert/strict";
import { applyViewParams } from "./apply_view_params.ts";
import { resizedCrop } from "./resized_crop.ts";
import { simclrViews } from "./simclr_views.ts";
import type { Box } from "./_crop_resize.ts";
import type { ViewParams } from "./sample_view_params.ts";
import { fixture, load, maxErrorAsync } from "./_test_utils.ts";

Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());

async function available(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

for (const backend of ["wasm", "webgpu"]) {
  const ok = await available(backend);
  Deno.test({
    name: `\`applyViewParams()\` and \`resizedCrop()\` match torchvision on ${backend}`,
    ignore: !ok,
    async fn() {
      await tf.setBackend(backend);
      const c = fixture("pipeline");
      const images = load(c.input);
      const before = tf.memory().numTensors;
      const out = applyViewParams(images, c.params as ViewParams[], { size: 16 });
      assert.equal(tf.memory().numTensors, before + 1);
      const error = await maxErrorAsync(out, c.expected);
      assert(error < 1e-3, `pipeline max error ${error}`);
      const crop = fixture("resizedCropEdges");
      const base = load(crop.input);
      const croppedRef = resizedCrop(base, crop.boxes as Box[], crop.size as [number, number]);
      const cropError = await maxErrorAsync(croppedRef, crop.expected);
      assert(cropError < 1e-4, `crop max error ${cropError}`);
      tf.dispose([images, out, base, croppedRef]);
    },
  });
  Deno.test({
    name: `\`simclrViews()\` is reproducible on ${backend}`,
    ignore: !ok,
    async fn() {
      await tf.setBackend(backend);
      const images = tf.randomUniform([2, 20, 20, 3], 0, 1, "float32", 4) as tf.Tensor4D;
      const a = simclrViews(images, { seed: 8, size: 12 });
      const b = simclrViews(images, { seed: 8, size: 12 });
      const [da, db] = await Promise.all([a.data(), b.data()]);
      assert.deepEqual(new Uint8Array(da.buffer), new Uint8Array(db.buffer));
      tf.dispose([images, a, b]);
    },
  });
}

// `deno bench -A augment/augment_bench.ts`: two SimCLR views of 256 STL10-sized images (96 px)
// per iteration on each backend; images per second = 256 / (time per iteration).
// The torchvision reference is tools/bench_torchvision_augment.py.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { simclrViews } from "./simclr_views.ts";

const IMAGES = Number(Deno.env.get("AUGMENT_BENCH_IMAGES") ?? 256);
Deno.env.set("XDG_RUNTIME_DIR", Deno.env.get("XDG_RUNTIME_DIR") ?? Deno.makeTempDirSync());

async function available(name: string): Promise<boolean> {
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

const pixels = new Uint8Array(IMAGES * 96 * 96 * 3);
for (let i = 0, state = 1; i < pixels.length; i++) {
  state = (Math.imul(state, 1103515245) + 12345) | 0; // a fixed pseudo-random image batch
  pixels[i] = state >>> 24;
}

/** True when WebGPU runs on a software rasterizer (llvmpipe / lavapipe / SwiftShader). */
async function softwareGpu(): Promise<boolean> {
  const adapter = await navigator.gpu?.requestAdapter();
  const info = adapter?.info;
  return /llvmpipe|lavapipe|swiftshader|software/i.test(
    `${info?.vendor} ${info?.architecture} ${info?.device} ${info?.description}`,
  );
}

for (const backend of ["cpu", "wasm", "webgpu"]) {
  // WebGPU on a software rasterizer takes minutes per iteration: opt in with
  // AUGMENT_BENCH_SOFTWARE_GPU=1.
  const skip = backend === "webgpu" && Deno.env.get("AUGMENT_BENCH_SOFTWARE_GPU") !== "1" &&
    await softwareGpu();
  const ok = !skip && await available(backend);
  let seed = 0;
  Deno.bench({
    name: `simclrViews() 2 x ${IMAGES} images at 96 px on ${backend}`,
    group: "simclrViews",
    ignore: !ok,
    n: backend === "wasm" ? 5 : 2,
    warmup: 1,
    async fn(b) {
      await tf.setBackend(backend);
      const images = tf.tidy(() =>
        tf.div(tf.cast(tf.tensor4d(pixels, [IMAGES, 96, 96, 3], "int32"), "float32"), 255)
      ) as tf.Tensor4D;
      await images.data();
      b.start();
      const views = simclrViews(images, { seed: seed++ });
      await views.data(); // wait for the backend to finish
      b.end();
      tf.dispose([images, views]);
    },
  });
}

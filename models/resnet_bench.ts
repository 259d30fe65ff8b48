// Forward throughput of the tutorial's encoder (ResNet-18, width 64, 512-d output) in eval
// mode, per backend: `deno bench -A models/resnet_bench.ts`; images per second are printed at
// the end (best timed run). Defaults: batch 64 at 96 px on wasm; tfjs's pure-JS cpu backend
// needs ~2.5 s per 96-px image, so cpu runs batch 8 by default.
// Environment: SIMCLR_BENCH_BATCH (wasm, webgpu), SIMCLR_BENCH_CPU_BATCH (cpu), SIMCLR_BENCH_SIZE,
// SIMCLR_BENCH_N (timed runs), SIMCLR_BENCH_BACKENDS (e.g. "wasm,cpu,webgpu").
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs-core";
import { simclrNet } from "./simclr_net.ts";

const env = (name: string, fallback: string): string => Deno.env.get(name) ?? fallback;
const size = Number(env("SIMCLR_BENCH_SIZE", "96"));
const n = Number(env("SIMCLR_BENCH_N", "2"));
const backends = env("SIMCLR_BENCH_BACKENDS", "wasm,cpu").split(",");
if (backends.includes("webgpu")) {
  Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
  await import("@tensorflow/tfjs-backend-webgpu");
}
const best = new Map<string, { batch: number; seconds: number }>();

for (const backend of backends) {
  const batch = Number(
    backend === "cpu" ? env("SIMCLR_BENCH_CPU_BATCH", "8") : env("SIMCLR_BENCH_BATCH", "64"),
  );
  Deno.bench({
    name: `simclrNet() encoder forward, eval, ${backend}, batch ${batch}, ${size} px`,
    n,
    warmup: 1,
    async fn(b) {
      if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} is unavailable`);
      const net = simclrNet({ seed: 1 });
      const x = tf.randomUniform([batch, size, size, 3], 0, 1, "float32", 1) as tf.Tensor4D;
      await x.data();
      b.start();
      const t0 = performance.now();
      const h = net.encoder.apply(x, { training: false });
      await h.data();
      const seconds = (performance.now() - t0) / 1000;
      b.end();
      const previous = best.get(backend);
      if (!previous || seconds < previous.seconds) best.set(backend, { batch, seconds });
      tf.dispose([x, h]);
      net.dispose();
    },
  });
}

globalThis.addEventListener("unload", () => {
  for (const [backend, { batch, seconds }] of best) {
    console.log(
      `${backend}: ${(batch / seconds).toFixed(1)} img/s (batch ${batch}, ${size} px, eval, ` +
        `${seconds.toFixed(2)} s)`,
    );
  }
});

// Copyright 2026 the simclr authors. MIT license.
/**
 * Milliseconds per kernel of one SimCLR training step (ResNet-18 + head forward on 2 x batch
 * random views, InfoNCE, backward, AdamW) on one backend, so the next bottleneck is visible.
 * Every kernel registered for the active backend is wrapped with a timer; kernels run inside
 * other kernels (op-composed ones) count towards the outer kernel only. One warm-up step, then
 * one timed step. `deno task bench --profile` runs it per backend and size.
 *
 * ```sh
 * deno run -A tools/profile_step.ts --backend native --size 96 --batch 64 --width 64 --threads 2
 * ```
 *
 * Prints one JSON line: `{ backend, size, batch, width, threads, stepMs, kernels: { name: ms } }`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import { simclrNet } from "@simclr/models";
import { AdamW, computeGradients, contrastiveLoss } from "@simclr/train";

/** Wraps every kernel of `backend` with a timer of top-level calls; returns the totals. */
export function timeKernels(backend: string): Map<string, number> {
  const totals = new Map<string, number>();
  let depth = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel({
      ...config,
      kernelFunc: (args) => {
        if (depth > 0) return inner(args);
        depth++;
        const t0 = performance.now();
        try {
          return inner(args);
        } finally {
          depth--;
          const ms = performance.now() - t0;
          totals.set(config.kernelName, (totals.get(config.kernelName) ?? 0) + ms);
        }
      },
    });
  }
  return totals;
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      backend: { type: "string", default: "native" },
      size: { type: "string", default: "96" },
      batch: { type: "string", default: "64" },
      width: { type: "string", default: "64" },
      threads: { type: "string", default: String(navigator.hardwareConcurrency) },
    },
  });
  const [size, batch, width, threads] = [values.size, values.batch, values.width, values.threads]
    .map(Number);
  const selected = await selectBackend(values.backend as BackendRequest, { log: null, threads });
  const model = simclrNet({ width, hiddenDim: 128, stem: "imagenet", seed: 42 });
  const optimizer = new AdamW(model.parameters(), { lr: 5e-4, weightDecay: 1e-4 });
  const step = async (seed: number): Promise<number> => {
    const views = tf.randomUniform([2 * batch, size, size, 3], -1, 1, "float32", seed);
    const t0 = performance.now();
    const { loss, grads, metrics } = computeGradients(
      model,
      () => contrastiveLoss(model, views as tf.Tensor4D, { temperature: 0.07 }),
    );
    optimizer.step(grads);
    await loss.data();
    const ms = performance.now() - t0;
    tf.dispose([views, loss, ...grads.values(), ...Object.values(metrics)]);
    return ms;
  };
  await step(1);
  const totals = timeKernels(tf.getBackend());
  const stepMs = await step(2);
  const kernels = Object.fromEntries(
    [...totals].sort((a, b) => b[1] - a[1]).map(([k, ms]) => [k, Math.round(ms * 10) / 10]),
  );
  console.log(JSON.stringify({
    backend: selected.name,
    size,
    batch,
    width,
    threads: selected.threads,
    stepMs: Math.round(stepMs),
    kernels,
  }));
}

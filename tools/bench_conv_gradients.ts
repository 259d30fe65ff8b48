// Copyright 2026 the simclr authors. MIT license.
// Milliseconds per convolution gradient at ResNet-18's layer shapes (the tutorial's 96 px,
// ImageNet stem), stock kernels against ours, on one backend:
//
//   deno run -A tools/bench_conv_gradients.ts [--backend webgpu] [--batch 128] [--repeats 3]
//     [--layers conv1,layer1,...] [--json]
//
// "stock" is the backend's own Conv2DBackpropFilter / Conv2DBackpropInput (on webgpu: the
// naive filter kernel and, with WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE, the naive input kernel);
// "ours" is what selectBackend() registers (@simclr/backends). Each timing reads the result
// back, so it covers the GPU's work, after one warm-up call that compiles the shaders.
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import {
  registerFastConvGradients,
  selectBackend,
  unregisterFastConvGradients,
} from "@simclr/backends";

// After the last variant the backend is left as selectBackend() configures it.

const { values } = parseArgs({
  args: Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args,
  options: {
    backend: { type: "string", default: "webgpu" },
    batch: { type: "string", default: "128" },
    repeats: { type: "string", default: "3" },
    layers: { type: "string" },
    json: { type: "boolean", default: false },
  },
});
const batch = Number(values.batch);
const repeats = Number(values.repeats);

/** ResNet-18 at 96 px: input shape, filter shape, stride. */
const LAYERS: Record<string, [[number, number, number], [number, number, number, number], number]> =
  {
    conv1: [[96, 96, 3], [7, 7, 3, 64], 2],
    layer1: [[24, 24, 64], [3, 3, 64, 64], 1],
    "layer2.0.conv1": [[24, 24, 64], [3, 3, 64, 128], 2],
    "layer2.0.downsample": [[24, 24, 64], [1, 1, 64, 128], 2],
    layer2: [[12, 12, 128], [3, 3, 128, 128], 1],
    layer3: [[6, 6, 256], [3, 3, 256, 256], 1],
    layer4: [[3, 3, 512], [3, 3, 512, 512], 1],
  };
const names = values.layers ? values.layers.split(",") : Object.keys(LAYERS);

const backend = await selectBackend(values.backend as "webgpu", { log: null });
console.error(backend.line);

async function time(run: () => tf.Tensor): Promise<number> {
  const warm = run(); // warm-up: shader compilation
  await warm.data();
  warm.dispose();
  const started = performance.now();
  for (let i = 0; i < repeats; i++) {
    const y = run();
    await y.data();
    y.dispose();
  }
  return (performance.now() - started) / repeats;
}

const results: Record<string, Record<string, number[]>> = {};
for (const name of names) {
  const [[h, w, c], filterShape, stride] = LAYERS[name];
  const x = tf.randomNormal([batch, h, w, c], 0, 1, "float32", 1) as tf.Tensor4D;
  const filter = tf.randomNormal(filterShape, 0, 0.1, "float32", 2) as tf.Tensor4D;
  const pad = filterShape[0] === 7 ? 3 : filterShape[0] === 3 ? 1 : 0;
  const y = tf.conv2d(x, filter, stride, pad);
  const dy = tf.randomNormal(y.shape, 0, 1, "float32", 3) as tf.Tensor4D;
  const attrs = { strides: stride, pad, dataFormat: "NHWC", dimRoundingMode: undefined };
  const kernel = (name: string, inputs: tf.NamedTensorMap, extra: tf.NamedAttrMap) => () =>
    tf.engine().runKernel(
      name,
      inputs,
      { ...attrs, ...extra } as unknown as tf.NamedAttrMap,
    ) as tf.Tensor;
  const filterGrad = kernel("Conv2DBackpropFilter", { x, dy }, { filterShape });
  const inputGrad = kernel("Conv2DBackpropInput", { dy, filter }, { inputShape: x.shape });
  results[name] = {};
  // stock: the backend's kernels as they come; stock-mm: webgpu's matmul-based input gradient
  // (WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE off); ours: the kernels selectBackend() registers.
  for (const variant of ["stock", "stock-mm", "ours"] as const) {
    unregisterFastConvGradients([values.backend!]);
    tf.env().set("WEBGPU_USE_NAIVE_CONV2D_TRANSPOSE", variant === "stock");
    if (variant === "ours") registerFastConvGradients([values.backend!]);
    results[name][variant] = [await time(filterGrad), await time(inputGrad)];
  }
  tf.dispose([x, filter, y, dy]);
  const r = results[name];
  console.error(
    `${name.padEnd(20)} filter: stock ${r.stock[0].toFixed(1)}, ours ${r.ours[0].toFixed(1)} ms; ` +
      `input: stock ${r.stock[1].toFixed(1)}, stock-mm ${r["stock-mm"][1].toFixed(1)}, ` +
      `ours ${r.ours[1].toFixed(1)} ms`,
  );
}
if (values.json) console.log(JSON.stringify({ device: backend.device, batch, results }));

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { countParameters } from "./count_parameters.ts";
import { loadSafetensors } from "./load_safetensors.ts";
import { ResNet } from "./resnet.ts";
import { resnet18 } from "./resnet18.ts";
import { resnet34 } from "./resnet34.ts";
import { resnet50 } from "./resnet50.ts";
import { parity, testdata } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`resnet18()`, `resnet34()`, `resnet50()` have torchvision's parameter counts", () => {
  for (
    const [build, count] of [
      [resnet18, 11_689_512],
      [resnet34, 21_797_672],
      [resnet50, 25_557_032],
    ] as const
  ) {
    const net = build();
    assert.deepStrictEqual(countParameters(net), count);
    net.dispose();
  }
});

Deno.test("`resnet50()` matches torchvision (width 2, cifar stem): eval, training, running stats", async () => {
  const { tensors } = await loadSafetensors(testdata("resnet50_w2_cifar.safetensors"));
  const net = resnet50({ width: 2, stem: "cifar", numClasses: 10 });
  const before = tf.memory().numTensors;
  // Keys and order are torchvision's: the fixture's state dict, in file order.
  const torchKeys = [...tensors.keys()].filter((k) => k.startsWith("model.")).map((k) =>
    k.slice(6)
  );
  const ours = net.stateDict();
  assert.deepStrictEqual([...ours.keys()], torchKeys);
  tf.dispose([...ours.values()]);
  net.loadStateDict(tensors, { prefix: "model." });
  const errors = await parity(net, tensors);
  assert.ok(errors.eval < 1e-4, `eval error ${errors.eval}`);
  assert.ok(errors.train < 1e-4, `training error ${errors.train}`);
  assert.ok(errors.buffers < 1e-4, `running stats error ${errors.buffers}`);
  assert.ok(errors.numBatchesTracked);
  assert.deepStrictEqual(tf.memory().numTensors, before);
  tf.dispose([...tensors.values()]);
  net.dispose();
});

Deno.test("`resnet18()` initialises as torchvision, deterministically per seed", async () => {
  const a = resnet18({ width: 8, numClasses: 10, seed: 3 });
  const b = resnet18({ width: 8, numClasses: 10, seed: 3 });
  const c = resnet18({ width: 8, numClasses: 10, seed: 4 });
  const pa = a.parameters();
  const pb = b.parameters();
  for (const [name, v] of pa) assert.deepStrictEqual(await v.data(), await pb.get(name)!.data());
  const w = Array.from(await pa.get("layer3.1.conv2.weight")!.data()); // HWIO [3, 3, 32, 32]
  assert.ok(w.some((x, i) => x !== c.parameters().get("layer3.1.conv2.weight")!.dataSync()[i]));
  // Kaiming normal, fan_out = 32 * 3 * 3: std sqrt(2 / 288)
  const mean = w.reduce((s, x) => s + x, 0) / w.length;
  const std = Math.sqrt(w.reduce((s, x) => s + (x - mean) ** 2, 0) / w.length);
  assert.ok(Math.abs(std / Math.sqrt(2 / 288) - 1) < 0.03, `conv std ${std}`);
  assert.ok(Math.abs(mean) < 0.005, `conv mean ${mean}`);
  // nn.Linear: U(+-1/sqrt(64)) for weight and bias
  for (const name of ["fc.weight", "fc.bias"]) {
    const values = Array.from(await pa.get(name)!.data());
    const max = Math.max(...values.map(Math.abs));
    assert.ok(max <= 1 / 8 && max > 0.8 / 8, `${name} max ${max}`);
  }
  assert.deepStrictEqual(await pa.get("layer1.0.bn2.weight")!.data(), new Float32Array(8).fill(1));
  assert.deepStrictEqual(await pa.get("bn1.bias")!.data(), new Float32Array(8));
  assert.deepStrictEqual(pa.get("conv1.weight")!.shape, [7, 7, 3, 8]);
  assert.deepStrictEqual(pa.get("fc.weight")!.shape, [64, 10]);
  for (const net of [a, b, c]) net.dispose();
});

Deno.test("`resnet18()` zeroInitResidual zeroes the last BatchNorm of each block", async () => {
  const net = resnet18({ width: 4, zeroInitResidual: true });
  const p = net.parameters();
  assert.deepStrictEqual(await p.get("layer2.1.bn2.weight")!.data(), new Float32Array(8));
  assert.deepStrictEqual(await p.get("layer2.1.bn1.weight")!.data(), new Float32Array(8).fill(1));
  assert.deepStrictEqual(
    await p.get("layer2.0.downsample.1.weight")!.data(),
    new Float32Array(8).fill(1),
  );
  net.dispose();
  const n50 = resnet50({ width: 2, zeroInitResidual: true });
  assert.deepStrictEqual(
    await n50.parameters().get("layer1.0.bn3.weight")!.data(),
    new Float32Array(8),
  );
  n50.dispose();
});

Deno.test("`ResNet` lists parameters, buffers and no-decay names", () => {
  const net = resnet18({ width: 4, numClasses: 3 });
  const params = [...net.parameters().keys()];
  const buffers = [...net.buffers().keys()];
  assert.deepStrictEqual(params.slice(0, 4), [
    "conv1.weight",
    "bn1.weight",
    "bn1.bias",
    "layer1.0.conv1.weight",
  ]);
  assert.deepStrictEqual(params.length, 62);
  assert.deepStrictEqual(buffers.length, 60);
  assert.ok(buffers.every((b) => /\.(running_mean|running_var|num_batches_tracked)$/.test(b)));
  const noDecay = net.noDecayNames();
  assert.deepStrictEqual(
    [...noDecay].sort(),
    params.filter((p) => p.endsWith(".bias") || /(bn\d|downsample\.1)\.weight$/.test(p)).sort(),
  );
  assert.ok(!noDecay.has("fc.weight") && noDecay.has("fc.bias") && noDecay.has("bn1.weight"));
  assert.ok([...net.parameters().values()].every((v) => v.trainable));
  assert.ok([...net.buffers().values()].every((v) => !v.trainable));
  assert.deepStrictEqual(net.buffers().get("bn1.num_batches_tracked")!.dtype, "int32");
  net.dispose();
});

Deno.test("`ResNet.apply()` trains under `tf.variableGrads` and leaks nothing", () => {
  const net = resnet18({ width: 4, numClasses: 5, stem: "cifar", seed: 1 });
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, "float32", 1) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  const { value, grads } = tf.variableGrads(() =>
    tf.mean(tf.square(net.apply(x, { training: true }))) as tf.Scalar
  );
  assert.deepStrictEqual(Object.keys(grads).length, net.parameters().size);
  for (const [name, v] of net.parameters()) {
    const g = grads[v.name];
    assert.ok(g !== undefined, `no gradient for ${name}`);
    assert.deepStrictEqual(g.shape, v.shape);
  }
  assert.ok(
    tf.tidy(() => tf.sum(tf.abs(grads[net.parameters().get("conv1.weight")!.name])).dataSync()[0]) >
      0,
  );
  tf.dispose([value, ...Object.values(grads)]);
  assert.deepStrictEqual(net.buffers().get("layer4.1.bn2.num_batches_tracked")!.dataSync()[0], 1);
  const y = net.apply(x, { training: false });
  y.dispose();
  assert.deepStrictEqual(tf.memory().numTensors, before);
  // An optimizer step changes parameters, not buffers' dtype or count.
  const opt = tf.train.sgd(0.1);
  const w0 = net.parameters().get("fc.weight")!.dataSync().slice();
  opt.minimize(() => tf.mean(net.apply(x, { training: true })) as tf.Scalar);
  assert.ok(net.parameters().get("fc.weight")!.dataSync().some((w, i) => w !== w0[i]));
  assert.deepStrictEqual(net.buffers().get("bn1.num_batches_tracked")!.dataSync()[0], 2);
  opt.dispose();
  x.dispose();
  net.dispose();
});

Deno.test("`ResNet.stateDict()` is PyTorch layout and `loadStateDict()` round-trips it", () => {
  const a = resnet18({ width: 4, numClasses: 6, seed: 1 });
  const b = resnet18({ width: 4, numClasses: 6, seed: 2 });
  const state = a.stateDict();
  assert.deepStrictEqual(state.get("conv1.weight")!.shape, [4, 3, 7, 7]);
  assert.deepStrictEqual(state.get("fc.weight")!.shape, [6, 32]);
  assert.deepStrictEqual(state.get("layer1.0.bn1.num_batches_tracked")!.shape, []);
  const result = b.loadStateDict(state);
  assert.deepStrictEqual(result, { missing: [], unexpected: [], mismatched: [] });
  assert.ok([...state.values()].every((t) => !t.isDisposed)); // the inputs stay the caller's
  const x = tf.randomUniform([2, 32, 32, 3], 0, 1, "float32", 5) as tf.Tensor4D;
  const ya = a.apply(x, { training: false });
  const yb = b.apply(x, { training: false });
  assert.deepStrictEqual(ya.dataSync(), yb.dataSync());
  // conv OIHW -> HWIO: element [o, i, h, w] lands at [h, w, i, o]
  const oihw = state.get("layer1.0.conv1.weight")!.arraySync() as number[][][][];
  const hwio = b.parameters().get("layer1.0.conv1.weight")!.arraySync() as number[][][][];
  assert.deepStrictEqual(hwio[2][1][3][0], oihw[0][3][2][1]);
  tf.dispose([x, ya, yb, ...state.values()]);
  a.dispose();
  b.dispose();
});

Deno.test("`ResNet.loadStateDict()` lists missing, unexpected and mis-shaped keys", () => {
  const net = resnet18({ width: 4, numClasses: 6 });
  const other = resnet18({ width: 4, numClasses: 7, seed: 9 });
  const state = other.stateDict();
  const convBefore = net.parameters().get("conv1.weight")!.dataSync().slice();
  state.get("bn1.bias")!.dispose();
  state.delete("bn1.bias");
  state.set("extra.weight", tf.zeros([1]));
  assert.throws(() => net.loadStateDict(state), (error: Error) => {
    assert.match(error.message, /^loadStateDict\(\): stateDict has missing keys: bn1\.bias;/);
    assert.match(error.message, /: expected the module's keys and shapes$/);
    assert.match(error.message, /missing keys: bn1\.bias/);
    assert.match(error.message, /unexpected keys: extra\.weight/);
    assert.match(error.message, /fc\.weight: got \[7, 32\], expected \[6, 32\]/);
    return true;
  });
  // Nothing was loaded.
  assert.deepStrictEqual(net.parameters().get("conv1.weight")!.dataSync(), convBefore);
  const result = net.loadStateDict(state, { strict: false });
  assert.deepStrictEqual(result.missing, ["bn1.bias"]);
  assert.deepStrictEqual(result.unexpected, ["extra.weight"]);
  assert.deepStrictEqual(result.mismatched, [
    "fc.weight: got [7, 32], expected [6, 32]",
    "fc.bias: got [7], expected [6]",
  ]);
  assert.deepStrictEqual(
    net.parameters().get("conv1.weight")!.dataSync(),
    tf.tidy(() => tf.transpose(state.get("conv1.weight")!, [2, 3, 1, 0]).dataSync()),
  );
  // With a prefix, only prefixed keys count.
  const prefixed = new Map([...net.stateDict()].map(([k, v]) => [`model.${k}`, v]));
  prefixed.set("other", tf.zeros([1]));
  assert.deepStrictEqual(net.loadStateDict(prefixed, { prefix: "model." }), {
    missing: [],
    unexpected: [],
    mismatched: [],
  });
  tf.dispose([...state.values(), ...prefixed.values()]);
  net.dispose();
  other.dispose();
});

Deno.test("`resnet18()` rejects bad options and inputs", () => {
  assert.throws(() => resnet18({ width: 0 }), {
    name: "RangeError",
    message: "ResNetEncoder(): width is 0: expected a positive integer",
  });
  assert.throws(() => resnet18({ numClasses: 2.5 }), {
    name: "RangeError",
    message: "ResNet(): numClasses is 2.5: expected a positive integer",
  });
  // deno-lint-ignore no-explicit-any
  assert.throws(() => resnet18({ stem: "tiny" as any }), {
    name: "TypeError",
    message: 'ResNetEncoder(): stem is "tiny": expected "imagenet" or "cifar"',
  });
  const net = resnet18({ width: 4 });
  assert.throws(() => net.apply(tf.zeros([1, 8, 8, 1]) as tf.Tensor4D, { training: false }), {
    name: "RangeError",
    message: "ResNetEncoder.apply(): x has shape [1, 8, 8, 1]: expected NHWC images [N, H, W, 3]",
  });
  const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
  // deno-lint-ignore no-explicit-any
  assert.throws(() => net.apply(x, {} as any), {
    name: "TypeError",
    message: "ResNetEncoder.apply(): options.training is undefined: expected a boolean",
  });
  x.dispose();
  assert.throws(
    // deno-lint-ignore no-explicit-any
    () => new ResNet({ block: "basic", layers: [2, 2, 2] as any }),
    {
      name: "RangeError",
      message: "ResNetEncoder(): layers is [2, 2, 2]: expected 4 block counts",
    },
  );
  // One image of 32 px reaches layer4 as 1x1: a single value per channel, as PyTorch refuses.
  const one = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
  const before = tf.memory().numTensors;
  assert.throws(() => net.apply(one, { training: true }), {
    name: "RangeError",
    message:
      "BatchNorm2d.apply(): x has shape [1, 1, 1, 32]: expected more than 1 value per channel in training mode (as PyTorch)",
  });
  assert.deepStrictEqual(tf.memory().numTensors, before);
  one.dispose();
  net.dispose();
});

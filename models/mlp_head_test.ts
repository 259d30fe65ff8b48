import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { MLPHead } from "./mlp_head.ts";

await tf.setBackend("cpu");

interface Fixture {
  name: string;
  sizes: number[];
  bias: boolean;
  state: Record<string, { shape: number[]; values: number[] }>;
  x: number[];
  r: number[];
  y: number[];
  running: Record<string, number[]>;
  yEval: number[];
  grads: Record<string, number[]>;
  gradX: number[];
}
const fixtures: Fixture[] = JSON.parse(
  await Deno.readTextFile(new URL("./testdata/mlp_head_batchnorm.json", import.meta.url)),
).cases;

function assertAllClose(actual: ArrayLike<number>, expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const scale = Math.max(1, ...expected.map(Math.abs));
  const error = expected.reduce((m, e, i) => Math.max(m, Math.abs(e - actual[i])), 0);
  assert.ok(error <= tol * scale, `${what}: max error ${error} (scale ${scale})`);
}

Deno.test("`MLPHead` with batchNorm matches PyTorch's projectors: outputs, running statistics, gradients", () => {
  for (const c of fixtures) {
    const head = new MLPHead(c.sizes, { batchNorm: true, bias: c.bias });
    const state = new Map(
      Object.entries(c.state).map(([k, { shape, values }]) => [
        k,
        k.endsWith("num_batches_tracked")
          ? tf.tensor(values, shape, "int32")
          : tf.tensor(values, shape),
      ]),
    );
    head.loadStateDict(state); // strict: the keys are torch's
    const batch = c.x.length / c.sizes[0];
    const x = tf.tensor2d(c.x, [batch, c.sizes[0]]);
    const r = tf.tensor2d(c.r, [batch, c.sizes.at(-1)!]);
    const params = head.parameters();
    let y: tf.Tensor | undefined;
    const { grads } = tf.variableGrads(() => {
      const out = head.apply(x, { training: true });
      y = tf.keep(out);
      return tf.sum(tf.mul(out, r)) as tf.Scalar;
    }, [...params.values()]);
    assertAllClose(y!.dataSync(), c.y, 1e-5, `${c.name} training output`);
    const after = head.stateDict();
    for (const [key, expected] of Object.entries(c.running)) {
      assertAllClose(after.get(key)!.dataSync(), expected, 1e-5, `${c.name} ${key}`);
    }
    const yEval = head.apply(x, { training: false });
    assertAllClose(yEval.dataSync(), c.yEval, 1e-5, `${c.name} evaluation output`);
    // Our linear weights are [in, out]: compare in torch's [out, in].
    for (const [name, v] of params) {
      const g = grads[v.name];
      const torchLayout = v.rank === 2 ? tf.transpose(g) : g;
      assertAllClose(torchLayout.dataSync(), c.grads[name], 1e-4, `${c.name} grad ${name}`);
      if (torchLayout !== g) torchLayout.dispose();
    }
    const gradX = tf.grad((input: tf.Tensor) =>
      tf.sum(tf.mul(head.apply(input as tf.Tensor2D, { training: true }), r))
    )(x);
    assertAllClose(gradX.dataSync(), c.gradX, 1e-4, `${c.name} input gradient`);
    tf.dispose([
      x,
      r,
      y!,
      yEval,
      gradX,
      ...state.values(),
      ...after.values(),
      ...Object.values(grads),
    ]);
    head.dispose();
  }
});

Deno.test("`MLPHead` keys: Sequential indices with and without BatchNorm, biases optional", () => {
  const plain = new MLPHead([4, 8, 2]);
  assert.deepEqual([...plain.stateShapes().keys()], ["0.weight", "0.bias", "2.weight", "2.bias"]);
  const byol = new MLPHead([4, 8, 2], { batchNorm: true });
  assert.deepEqual([...byol.parameters().keys()], [
    "0.weight",
    "0.bias",
    "1.weight",
    "1.bias",
    "3.weight",
    "3.bias",
  ]);
  assert.deepEqual([...byol.buffers().keys()], [
    "1.running_mean",
    "1.running_var",
    "1.num_batches_tracked",
  ]);
  assert.deepEqual([...byol.noDecayNames()], ["0.bias", "1.weight", "1.bias", "3.bias"]);
  const single = new MLPHead([4, 2], { batchNorm: true, bias: false });
  assert.deepEqual([...single.stateShapes()], [["weight", [2, 4]]]);
  [plain, byol, single].forEach((m) => m.dispose());
});

Deno.test("`MLPHead` without batchNorm is unchanged: the same seed gives the same weights", () => {
  const a = new MLPHead([6, 12, 3], { seed: 5 });
  const b = new MLPHead([6, 12, 3], { seed: 5, batchNorm: false, bias: true });
  for (const [name, v] of a.parameters()) {
    assert.deepEqual(v.dataSync(), b.parameters().get(name)!.dataSync(), name);
  }
  // With BatchNorm the linear layers draw the same numbers: the BatchNorms take none.
  const c = new MLPHead([6, 12, 3], { seed: 5, batchNorm: true });
  assert.deepEqual(
    c.parameters().get("3.weight")!.dataSync(),
    a.parameters().get("2.weight")!.dataSync(),
  );
  [a, b, c].forEach((m) => m.dispose());
});

Deno.test("`MLPHead.apply()` with BatchNorm needs the mode, and a batch of 2 in training", () => {
  const head = new MLPHead([3, 4, 2], { batchNorm: true });
  const one = tf.ones([1, 3]) as tf.Tensor2D;
  assert.throws(() => head.apply(one), {
    name: "TypeError",
    message:
      "MLPHead.apply(): options.training is undefined: expected a boolean (the head has BatchNorm)",
  });
  assert.throws(() => head.apply(one, { training: true }), {
    name: "RangeError",
    message:
      "BatchNorm1d.apply(): x has shape [1, 4]: expected more than 1 value per channel in training mode (as PyTorch)",
  });
  const two = tf.ones([2, 3]) as tf.Tensor2D;
  const before = tf.memory().numTensors;
  tf.dispose(head.apply(two, { training: false }));
  tf.dispose(head.apply(two, { training: true }));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([one, two]);
  head.dispose();
});

import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { opKernel } from "./_op_kernel.ts";

await tf.setBackend("cpu");

Deno.test("`opKernel()` kernels return fresh results and the caller's own inputs without leaks", () => {
  const square = opKernel(
    "SimclrTestSquarePlusOne",
    "cpu",
    (inputs) => tf.add(tf.square(inputs.x), 1),
  );
  const same = opKernel("SimclrTestPassThrough", "cpu", (inputs) => inputs.x);
  tf.registerKernel(square);
  tf.registerKernel(same);
  try {
    const x = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numTensors;
    const y = tf.engine().runKernel("SimclrTestSquarePlusOne", { x }, {}) as tf.Tensor;
    assert.deepEqual(Array.from(y.dataSync()), [2, 5, 10]);
    assert.equal(tf.memory().numTensors, before + 1);
    const z = tf.engine().runKernel("SimclrTestPassThrough", { x }, {}) as tf.Tensor;
    assert.equal(tf.memory().numTensors, before + 2);
    z.dispose();
    y.dispose();
    // the input survives its pass-through output being disposed
    assert.deepEqual(Array.from(x.dataSync()), [1, 2, 3]);
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    assert.equal(tf.memory().numTensors, before - 1);
  } finally {
    tf.unregisterKernel("SimclrTestSquarePlusOne", "cpu");
    tf.unregisterKernel("SimclrTestPassThrough", "cpu");
  }
});

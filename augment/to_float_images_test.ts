import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import assert from "node:assert/strict";
import { toFloatImages } from "./to_float_images.ts";

await tf.setBackend("cpu");

Deno.test("`toFloatImages()` divides bytes by 255 as ToTensor, HWC per image", () => {
  const pixels = Uint8Array.from({ length: 2 * 2 * 3 * 3 }, (_, i) => i * 7);
  const out = toFloatImages({ pixels, height: 2, width: 3, count: 2 });
  assert.deepEqual(out.shape, [2, 2, 3, 3]);
  const data = out.dataSync();
  pixels.forEach((p, i) => assert.equal(data[i], Math.fround(p / 255)));
  out.dispose();
});

Deno.test("`toFloatImages()` defaults to STL10's 96x96 and checks the byte count", () => {
  const out = toFloatImages({ pixels: new Uint8Array(96 * 96 * 3 * 2) });
  assert.deepEqual(out.shape, [2, 96, 96, 3]);
  out.dispose();
  assert.throws(
    () => toFloatImages({ pixels: new Uint8Array(12), height: 2, width: 2, count: 2 }),
    {
      name: "RangeError",
      message: "toFloatImages(): input.pixels has 12 bytes: expected 2 images of 2x2x3 = 12 bytes",
    },
  );
  assert.throws(() => toFloatImages(null as unknown as tf.Tensor4D), {
    name: "TypeError",
    message:
      "toFloatImages(): input is null: expected a tf.Tensor4D or { pixels: Uint8Array, height, width }",
  });
});

Deno.test("`toFloatImages()` clones float32 tensors and scales int32 ones", () => {
  const floats = tf.ones([1, 2, 2, 3]) as tf.Tensor4D;
  const clone = toFloatImages(floats);
  assert.notEqual(clone, floats);
  assert.deepEqual(clone.dataSync(), floats.dataSync());
  const ints = tf.fill([1, 2, 2, 3], 255, "int32") as tf.Tensor4D;
  const scaled = toFloatImages(ints);
  assert.deepEqual(Array.from(scaled.dataSync()), Array(12).fill(1));
  tf.dispose([floats, clone, ints, scaled]);
});

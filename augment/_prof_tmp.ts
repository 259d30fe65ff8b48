import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import * as A from "./mod.ts";
await tf.setBackend(Deno.args[0]);
const n = Number(Deno.args[1] ?? 64);
const images = tf.randomUniform([n, 96, 96, 3]) as tf.Tensor4D;
async function time(name: string, f: () => tf.Tensor) {
  const t = performance.now();
  const y = f();
  await y.data();
  y.dispose();
  console.log(name.padEnd(12), ((performance.now() - t) / 1000).toFixed(3), "s");
}
const boxes = Array.from({ length: n }, () => [10, 10, 60, 70] as [number, number, number, number]);
const f = Array(n).fill(1.2);
await time("crop", () => A.resizedCrop(images, boxes, 96));
await time("brightness", () => A.adjustBrightness(images, f));
await time("contrast", () => A.adjustContrast(images, f));
await time("saturation", () => A.adjustSaturation(images, f));
await time("hue", () => A.adjustHue(images, Array(n).fill(0.05)));
await time("gray", () => A.rgbToGrayscale(images));
await time("blur", () => A.gaussianBlur(images, 9, Array(n).fill(1)));
await time("flip", () => A.horizontalFlip(images, Array(n).fill(true)));
await time("normalize", () => A.normalize(images, [0.5], [0.5]));
await time("views", () => A.simclrViews(images, { seed: 1, nViews: 1 }));

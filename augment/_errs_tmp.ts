import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
import * as A from "./mod.ts";
import { fixture, load, maxErrorAsync as maxError } from "./_test_fixtures.ts";
await tf.setBackend(Deno.args[0] ?? "cpu");
const run: Record<string, (x: tf.Tensor4D, c: any) => tf.Tensor4D> = {
  adjustBrightness: (x, c) => A.adjustBrightness(x, c.factors),
  adjustContrast: (x, c) => A.adjustContrast(x, c.factors),
  adjustSaturation: (x, c) => A.adjustSaturation(x, c.factors),
  adjustHue: (x, c) => A.adjustHue(x, c.shifts),
  rgbToGrayscale: (x) => A.rgbToGrayscale(x),
  gaussianBlur9: (x, c) => A.gaussianBlur(x, 9, c.sigmas),
  gaussianBlur3: (x, c) => A.gaussianBlur(x, 3, c.sigmas),
  horizontalFlip: (x, c) => A.horizontalFlip(x, c.flags),
  normalize: (x, c) => A.normalize(x, c.mean, c.std),
  resizedCrop8x8: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  resizedCrop10x10: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  resizedCrop6x6: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  resizedCrop7x11: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  resizedCrop20x20: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  resizedCropEdges: (x, c) => A.resizedCrop(x, c.boxes, c.size),
  pipeline: (x, c) => A.applyViewParams(x, c.params, { size: c.size, blurKernelSize: c.kernelSize }),
};
for (const [name, f] of Object.entries(run)) {
  const c = fixture(name);
  const x = load(c.input);
  const y = f(x, c);
  console.log(name.padEnd(20), (await maxError(y, c.expected)).toExponential(2));
  tf.dispose([x, y]);
}

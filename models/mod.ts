/**
 * ResNet builders with torchvision's names, layout and initialisation on NHWC input, the
 * SimCLR tutorial's network, and weights in and out: PyTorch (Lightning) checkpoints through a
 * restricted unpickler, and safetensors files.
 *
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { simclrNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ hiddenDim: 8, width: 4 });
 * const z = net.apply(tf.zeros([1, 32, 32, 3]), { training: false });
 * assert.deepStrictEqual(z.shape, [1, 8]);
 * z.dispose();
 * net.dispose();
 * ```
 *
 * @module
 */
export * from "./module.ts";
export * from "./resnet.ts";
export * from "./resnet18.ts";
export * from "./resnet34.ts";
export * from "./resnet50.ts";
export * from "./simclr_net.ts";
export * from "./count_parameters.ts";
export * from "./load_torch_checkpoint.ts";
export * from "./save_safetensors.ts";
export * from "./load_safetensors.ts";

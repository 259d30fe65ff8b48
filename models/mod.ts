/**
 * ResNet builders with torchvision's names, layout and initialisation on NHWC input, the
 * SimCLR tutorial's network, and weights in and out: PyTorch (Lightning) checkpoints through a
 * restricted unpickler, and safetensors files.
 *
 * - {@linkcode resnet18}, {@linkcode resnet34}, {@linkcode resnet50}: torchvision's networks
 *   (options: `numClasses`, `width`, `stem: "imagenet" | "cifar"`, `zeroInitResidual`, `seed`).
 * - {@linkcode simclrNet}: the tutorial's `convnet` (ResNet-18 + `Linear -> ReLU -> Linear`
 *   head) with `.encoder`, the 512-d network without the head, sharing its variables.
 * - Every network is a {@linkcode Module}: `apply(x, { training })` (BatchNorm with PyTorch's
 *   training semantics), `parameters()`, `buffers()`, `noDecayNames()`, `stateDict()` and
 *   `loadStateDict()` in PyTorch layout with torchvision's keys.
 * - {@linkcode loadTorchCheckpoint} reads `torch.save` files (e.g. the tutorial's `SimCLR.ckpt`)
 *   without running their code; {@linkcode saveSafetensors} / {@linkcode loadSafetensors}.
 *
 * Only `@tensorflow/tfjs-core` ops are used (plain `conv2d`, `maxPool`, `matMul`, no fused
 * ops), so any backend works, and gradients registered by the caller apply.
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

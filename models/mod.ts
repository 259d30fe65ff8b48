// Copyright 2026 the simclr authors. MIT license.
/**
 * Networks by composition, with torchvision's names, layouts and initialisation on NHWC
 * input, and weights in and out (PyTorch and Lightning checkpoints, safetensors).
 *
 * - {@linkcode ResNetEncoder}: a ResNet body, images to pooled features `h`; it knows nothing
 *   of heads. {@linkcode MLPHead}: linear layers with ReLU between.
 *   {@linkcode HeadedNetwork}: an encoder and a head under `fc.`. {@linkcode LeafModule} and
 *   {@linkcode CompositeModule} are the bases of modules that own variables and of modules made
 *   of modules.
 * - {@linkcode resnet18}, {@linkcode resnet34}, {@linkcode resnet50}: torchvision's classifiers
 *   ({@linkcode ResNet} = encoder + `fc`).
 * - {@linkcode simclrNet}: the tutorial's `convnet` ({@linkcode SimCLRNet} = ResNet-18 encoder +
 *   the projection head `Linear -> ReLU -> Linear`); `net.encoder` gives the features `h` that
 *   the probe uses, `net.apply` the projections `z` that the loss compares.
 * - {@linkcode byolNet}: BYOL's online network, predictor and momentum target network
 *   ({@linkcode BYOLNet}); `MLPHead` with `batchNorm` builds the projectors of Barlow Twins and
 *   BYOL (`Linear -> BatchNorm1d -> ReLU -> ... -> Linear`).
 * - Every network is a {@linkcode Module}: `apply(x, { training })` (BatchNorm with PyTorch's
 *   training semantics), `parameters()`, `buffers()`, `noDecayNames()`, `stateShapes()`,
 *   `stateDict()` and `loadStateDict()` in PyTorch layout with torchvision's keys.
 * - {@linkcode syncBatchNorm}: BatchNorm over the whole batch of data-parallel replicas.
 * - {@linkcode loadEncoder}: the encoder of any checkpoint (ours or PyTorch's), configured from
 *   the file; {@linkcode loadTorchCheckpoint} reads `torch.save` files without running their
 *   code; {@linkcode saveSafetensors} / {@linkcode loadSafetensors}.
 *
 * What the networks need from a backend: only `@tensorflow/tfjs-core` ops are used (plain
 * `conv2d`, `maxPool`, `matMul`, no fused ops), so inference works on every backend. Training
 * needs gradients of those ops: `cpu` and `webgpu` have them, `wasm` lacks the convolution
 * filter gradient until `@simclr/backends` registers it (`selectBackend("wasm")` does).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { simclrNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ hiddenDim: 8, width: 4 });
 * const z = net.apply(tf.zeros([1, 32, 32, 3]), { training: false });
 * assert.deepEqual(z.shape, [1, 8]);
 * z.dispose();
 * net.dispose();
 * ```
 *
 * @module
 */
export * from "./module.ts";
export * from "./leaf_module.ts";
export * from "./composite_module.ts";
export * from "./headed_network.ts";
export * from "./resnet_encoder.ts";
export * from "./mlp_head.ts";
export * from "./resnet.ts";
export * from "./resnet18.ts";
export * from "./resnet34.ts";
export * from "./resnet50.ts";
export * from "./simclr_net.ts";
export * from "./byol_net.ts";
export * from "./sync_batch_norm.ts";
export * from "./count_parameters.ts";
export * from "./checkpoint_error.ts";
export * from "./load_encoder.ts";
export * from "./load_torch_checkpoint.ts";
export * from "./save_safetensors.ts";
export * from "./load_safetensors.ts";

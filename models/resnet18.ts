import { ResNet } from "./resnet.ts";
import type { ResNetOptions } from "./resnet_encoder.ts";

/**
 * torchvision's `resnet18` (BasicBlock, `[2, 2, 2, 2]`): 11,689,512 parameters with 1000 classes.
 *
 * @example Classify a batch
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { resnet18 } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = resnet18({ numClasses: 10, width: 8, stem: "cifar", seed: 1 });
 * const logits = net.apply(tf.zeros([2, 16, 16, 3]), { training: false });
 * assert.deepStrictEqual(logits.shape, [2, 10]);
 * logits.dispose();
 * net.dispose();
 * ```
 *
 * @param options Classes, width, stem, zero-init of residual BatchNorms, seed.
 * @returns The network.
 */
export function resnet18(options: ResNetOptions = {}): ResNet {
  return new ResNet({ ...options, block: "basic", layers: [2, 2, 2, 2] });
}

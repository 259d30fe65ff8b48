import { ResNet } from "./resnet.ts";
import type { ResNetOptions } from "./resnet_encoder.ts";

/**
 * torchvision's `resnet34` (BasicBlock, `[3, 4, 6, 3]`).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { resnet34 } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * const net = resnet34({ width: 4 });
 * assert.deepStrictEqual(net.encoder.featureDim, 32);
 * net.dispose();
 * ```
 *
 * @param options Classes, width, stem, zero-init of residual BatchNorms, seed.
 * @returns The network.
 */
export function resnet34(options: ResNetOptions = {}): ResNet {
  return new ResNet({ ...options, block: "basic", layers: [3, 4, 6, 3] });
}

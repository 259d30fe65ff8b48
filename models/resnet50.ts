import { ResNet } from "./resnet.ts";
import type { ResNetOptions } from "./resnet_encoder.ts";

/**
 * torchvision's `resnet50` (Bottleneck, `[3, 4, 6, 3]`): features of `32 * width` (2048).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { resnet50 } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * const net = resnet50({ width: 4 });
 * assert.deepStrictEqual(net.encoder.featureDim, 128);
 * net.dispose();
 * ```
 *
 * @param options Classes, width, stem, zero-init of residual BatchNorms, seed.
 * @returns The network.
 */
export function resnet50(options: ResNetOptions = {}): ResNet {
  return new ResNet({ ...options, block: "bottleneck", layers: [3, 4, 6, 3] });
}

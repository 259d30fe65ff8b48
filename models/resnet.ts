// Copyright 2026 the simclr authors. MIT license.
import { checkInteger } from "@simclr/internal/checks";
import { DEFAULT_SEED, mixSeed } from "@simclr/internal/random";
import { HeadedNetwork } from "./headed_network.ts";
import { MLPHead } from "./mlp_head.ts";
import { ResNetEncoder, type ResNetEncoderConfig } from "./resnet_encoder.ts";

/** The full description of a ResNet: its body and the size of `fc`. */
export interface ResNetConfig extends ResNetEncoderConfig {
  /** Output size of the final `fc` layer (default 1000, as torchvision). */
  numClasses?: number;
}

/**
 * torchvision's ResNet: a {@linkcode ResNetEncoder} followed by `fc = Linear(featureDim,
 * numClasses)`, with torchvision's keys and initialisation. Build one with
 * {@linkcode resnet18}, {@linkcode resnet34} or {@linkcode resnet50}; `net.encoder` is the
 * network without `fc`.
 *
 * @example A custom depth
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ResNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = new ResNet({ block: "basic", layers: [1, 1, 1, 1], width: 4, numClasses: 3 });
 * const y = net.apply(tf.zeros([2, 8, 8, 3]), { training: false });
 * assert.deepEqual(y.shape, [2, 3]);
 * assert.equal(net.encoder.featureDim, 32);
 * y.dispose();
 * net.dispose();
 * ```
 */
export class ResNet extends HeadedNetwork<ResNetEncoder, MLPHead> {
  /** Output size of `fc`. */
  readonly numClasses: number;

  /**
   * Builds the body and `fc`.
   *
   * @param config Block type, blocks per stage, classes, width, stem, zero-init and seed.
   */
  constructor(config: ResNetConfig) {
    const { numClasses = 1000, seed = DEFAULT_SEED, ...body } = config;
    checkInteger("ResNet()", "numClasses", numClasses, { min: 1 });
    const encoder = new ResNetEncoder({ ...body, seed });
    super(encoder, new MLPHead([encoder.featureDim, numClasses], { seed: mixSeed(seed, 1) }));
    this.numClasses = numClasses;
  }
}

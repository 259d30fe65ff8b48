// Copyright 2026 the simclr authors. MIT license.
import { checkInteger } from "@simclr/internal/checks";
import { DEFAULT_SEED, mixSeed } from "@simclr/internal/random";
import { HeadedNetwork } from "./headed_network.ts";
import { MLPHead } from "./mlp_head.ts";
import { ResNetEncoder } from "./resnet_encoder.ts";

/** Options of {@linkcode simclrNet}. */
export interface SimCLRNetOptions {
  /** Output size of the projection head, the tutorial's `hidden_dim` (default 128). */
  hiddenDim?: number;
  /** Base channel count (default 64: the 512-d features of ResNet-18). */
  width?: number;
  /** `"imagenet"` (default, the tutorial's) or `"cifar"` stem. */
  stem?: "imagenet" | "cifar";
  /** Zero-initialise the last BatchNorm weight of each residual block (default false). */
  zeroInitResidual?: boolean;
  /** Seed of the initialisation (default 42). */
  seed?: number;
}

/**
 * The tutorial's `convnet`: a ResNet-18 body ({@linkcode ResNetEncoder}) whose `fc` is the
 * projection head `Sequential(Linear(512, 4 * hiddenDim), ReLU, Linear(4 * hiddenDim,
 * hiddenDim))` (keys `fc.0.*`, `fc.2.*`). `apply` gives the projections `z` that the loss
 * compares; `encoder.apply` the features `h` that the probe uses (the tutorial's
 * `fc = nn.Identity()`). Build one with {@linkcode simclrNet}.
 */
export class SimCLRNet extends HeadedNetwork<ResNetEncoder, MLPHead> {
  /** Output size of the projection head. */
  readonly hiddenDim: number;

  /**
   * Builds the encoder and the head (prefer {@linkcode simclrNet}).
   *
   * @param options Head size, width, stem, zero-init of residual BatchNorms, seed.
   */
  constructor(options: SimCLRNetOptions = {}) {
    const { hiddenDim = 128, seed = DEFAULT_SEED, ...body } = options;
    checkInteger("simclrNet()", "hiddenDim", hiddenDim, { min: 1 });
    const encoder = new ResNetEncoder({ ...body, seed, block: "basic", layers: [2, 2, 2, 2] });
    const sizes = [encoder.featureDim, 4 * hiddenDim, hiddenDim];
    super(encoder, new MLPHead(sizes, { seed: mixSeed(seed, 1) }));
    this.hiddenDim = hiddenDim;
  }
}

/**
 * The tutorial's SimCLR network (see {@linkcode SimCLRNet}).
 *
 * @example Projections for the loss, features for the probe
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { simclrNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ hiddenDim: 16, width: 8 });
 * const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
 * const z = net.apply(x, { training: false }); // projections
 * const h = net.encoder.apply(x, { training: false }); // features: 8 * width
 * assert.deepEqual([z.shape, h.shape], [[2, 16], [2, 64]]);
 * assert.deepEqual([...net.parameters().keys()].slice(-4), [
 *   "fc.0.weight", "fc.0.bias", "fc.2.weight", "fc.2.bias",
 * ]);
 * tf.dispose([x, z, h]);
 * net.dispose();
 * ```
 *
 * @param options Head size (default 128), width (default 64), stem, zero-init, seed.
 * @returns The network, with `.encoder` and `.head`.
 */
export function simclrNet(options: SimCLRNetOptions = {}): SimCLRNet {
  return new SimCLRNet(options);
}

// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs";
import { barlowTwins as barlowTwinsLoss } from "@simclr/losses";
import { HeadedNetwork, MLPHead, ResNetEncoder } from "@simclr/models";
import { mixSeed } from "@simclr/internal/random";
import type { LossOutput } from "@simclr/train";
import type { Method } from "./method.ts";
import { headedReplica } from "./_headed_replica.ts";
import { validateMethod } from "./validate_method.ts";

/**
 * Barlow Twins (Zbontar et al., 2021): a ResNet-18 encoder and the paper's projector
 * (Linear-BN-ReLU, Linear-BN-ReLU, Linear, no biases, `projectorDim` wide), two views, and a
 * loss that drives the cross-correlation of the views' projections to the identity: its
 * diagonal to 1 (`on_diagonal`), the rest to 0, weighted by `lambda` (`off_diagonal`). The
 * paper's defaults: lambda 0.0051, a projector of 8192 (128 per unit of width at width 64).
 * The best checkpoint has the lowest validation loss.
 *
 * @example The paper's defaults at width 64
 * ```ts
 * import { barlowTwinsMethod, methodConfig } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(barlowTwinsMethod, { width: 64 });
 * assert.deepEqual(config.hyperparameters, { lambda: 0.0051, projectorDim: 8192 });
 * assert.equal(barlowTwinsMethod.outputDim(config), 8192);
 * ```
 */
export const barlowTwinsMethod: Method = {
  name: "barlow",
  title: "Barlow Twins",
  paper: "Zbontar et al., Barlow Twins: Self-Supervised Learning via Redundancy Reduction, 2021",
  labels: false,
  views: 2,
  hyperparameters: {
    lambda: {
      type: "number",
      min: 0,
      help: "weight of the off-diagonal term (default: 0.0051, the paper's; the demo preset: " +
        "0.05, for its narrower projector)",
      paper: { value: 0.0051 },
    },
    projectorDim: {
      type: "integer",
      min: 1,
      help: "width of the projector's 3 layers (128 x --width: the paper's 8192 at width 64; " +
        "the demo preset: 16 x --width)",
      paper: { perWidth: 128 },
    },
  },
  metrics: ["loss", "on_diagonal", "off_diagonal"],
  monitor: { metric: "val_loss", mode: "min" },
  extraState: [],
  outputDim: (config) => config.hyperparameters.projectorDim,
  createReplica(config) {
    const { width, stem, seed } = config;
    const { lambda, projectorDim: p } = config.hyperparameters;
    const network = () => {
      // The paper's projector: Linear-BN-ReLU, Linear-BN-ReLU, Linear, no biases.
      const encoder = new ResNetEncoder({
        block: "basic",
        layers: [2, 2, 2, 2],
        width,
        stem,
        seed,
      });
      const projector = new MLPHead([encoder.featureDim, p, p, p], {
        batchNorm: true,
        bias: false,
        seed: mixSeed(seed, 1),
      });
      return new HeadedNetwork(encoder, projector);
    };
    const loss = (z: tf.Tensor2D): LossOutput => {
      const { loss, onDiagonal, offDiagonal } = barlowTwinsLoss(z, { lambda });
      return { loss, metrics: { on_diagonal: onDiagonal, off_diagonal: offDiagonal } };
    };
    return headedReplica(config, network, loss, p);
  },
  validate: (replica, batches) => validateMethod(replica, batches),
};

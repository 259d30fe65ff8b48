// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { supCon as supConLoss } from "@simclr/losses";
import { simclrNet } from "@simclr/models";
import type { LossOutput } from "@simclr/train";
import type { Method, MethodPayload } from "./method.ts";
import { headedReplica } from "./_headed_replica.ts";
import { validateMethod } from "./validate_method.ts";

/**
 * Supervised contrastive learning, SupCon (Khosla et al., 2020): SimCLR's network and views,
 * trained on labelled images with their labels, so that every image of the same class is a
 * positive (the official `SupConLoss`, contrast mode "all"). The loss is scaled by
 * `temperature / baseTemperature` (the paper's `base_temperature`; default: the temperature).
 * The best checkpoint has the lowest validation loss.
 *
 * @example Its hyperparameters and what it needs
 * ```ts
 * import { supConMethod } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * assert.equal(supConMethod.labels, true); // trains on the labelled split
 * assert.deepEqual(Object.keys(supConMethod.hyperparameters), ["baseTemperature"]);
 * assert.equal(supConMethod.monitor.metric, "val_loss");
 * ```
 */
export const supConMethod: Method = {
  name: "supcon",
  title: "SupCon",
  paper: "Khosla et al., Supervised Contrastive Learning, 2020",
  labels: true,
  views: null,
  hyperparameters: {
    baseTemperature: {
      type: "number",
      min: 1e-6,
      help: "the loss is scaled by temperature / base temperature (default: --temperature)",
      paper: { fromTemperature: true },
    },
  },
  metrics: ["loss"],
  monitor: { metric: "val_loss", mode: "min" },
  extraState: [],
  outputDim: (config) => config.hiddenDim,
  createReplica(config) {
    // The SimCLR network: SupCon's projection head is the same MLP (Linear, ReLU, Linear).
    const { nViews, width, stem, seed, temperature } = config;
    const { baseTemperature } = config.hyperparameters;
    return headedReplica(
      config,
      () => simclrNet({ hiddenDim: config.hiddenDim, width, stem, seed }),
      (
        z: tf.Tensor2D,
        { labels }: MethodPayload,
      ): LossOutput => {
        if (labels === null) throw new TypeError("supcon: the payload has no labels");
        const t = tf.tensor1d(labels, "int32");
        const out = supConLoss(z, { labels: t, nViews, temperature, baseTemperature });
        t.dispose();
        return out;
      },
    );
  },
  validate: (replica, batches) => validateMethod(replica, batches),
};

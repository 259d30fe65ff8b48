// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { byolLoss } from "@simclr/losses";
import { byolNet } from "@simclr/models";
import type { LossOutput } from "@simclr/train";
import type { Method, MethodReplica } from "./method.ts";
import { startMethodBackend } from "./_headed_replica.ts";
import { methodViews } from "./method_views.ts";
import { validateMethod } from "./validate_method.ts";

/**
 * BYOL (Grill et al., 2020): an online network (ResNet-18 encoder, projector, predictor) that
 * predicts a momentum target network's projections of the other view, with no negatives
 * (`byolLoss`, symmetrised; no gradient into the target). After every optimiser step the target
 * moves towards the online network with a decay rate that starts at `tauBase` (the paper's
 * 0.996) and rises to 1 by a cosine over the run's steps. The projection is 256 wide and the
 * MLPs' hidden layers 4096 at width 64 (4 and 64 per unit of width). The checkpoint holds the
 * target too (`target.*`, `target_updates`); the best one has the lowest validation loss.
 *
 * @example The paper's defaults at width 64
 * ```ts
 * import { byolMethod, methodConfig } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(byolMethod, { width: 64 });
 * assert.equal(config.hiddenDim, 256);
 * assert.deepEqual(config.hyperparameters, { tauBase: 0.996, projectorDim: 4096 });
 * assert.equal(byolMethod.outputDim(config), 512); // predictions | target projections
 * ```
 */
export const byolMethod: Method = {
  name: "byol",
  title: "BYOL",
  paper: "Grill et al., Bootstrap Your Own Latent, 2020",
  labels: false,
  views: 2,
  hyperparameters: {
    tauBase: {
      type: "number",
      min: 0,
      help: "target network decay rate at the first step, rising to 1 by a cosine (default: " +
        "0.996, the paper's)",
      paper: { value: 0.996 },
    },
    projectorDim: {
      type: "integer",
      min: 1,
      help: "hidden width of the projector and predictor (64 x --width: 4096 at 64)",
      paper: { perWidth: 64 },
    },
  },
  hiddenDimPerWidth: 4,
  metrics: ["loss"],
  monitor: { metric: "val_loss", mode: "min" },
  extraState: ["target.", "target_updates"],
  outputDim: (config) => 2 * config.hiddenDim, // predictions | target projections
  async createReplica(config): Promise<MethodReplica> {
    await startMethodBackend(config);
    const { width, stem, seed } = config;
    const { tauBase, projectorDim } = config.hyperparameters;
    const model = byolNet({ hiddenDim: config.hiddenDim, projectorDim, width, stem, seed });
    // The online predictions and the target's projections side by side: [rows, 2 * hiddenDim].
    const outputs = (x: tf.Tensor4D, training: boolean) =>
      tf.tidy(() =>
        tf.concat([model.apply(x, { training }), model.targetProjections(x, { training })], 1)
      );
    const loss = (both: tf.Tensor2D): LossOutput => {
      const [predictions, targets] = tf.split(both, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { loss: byolLoss(predictions, targets) };
    };
    return {
      model,
      monitored: model.online,
      nViews: config.nViews,
      outputDim: 2 * config.hiddenDim,
      inputs: methodViews(config),
      forward: (x) => outputs(x as tf.Tensor4D, true),
      loss,
      evaluate: (views) => loss(outputs(views, false)),
      afterStep: () => model.updateTarget({ baseMomentum: tauBase, totalSteps: config.totalSteps }),
    };
  },
  validate: (replica, batches) => validateMethod(replica, batches),
};

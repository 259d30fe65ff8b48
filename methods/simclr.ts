// Copyright 2026 the simclr authors. MIT license.
import "@tensorflow/tfjs"; // the gradients of every op
import type * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "@simclr/backends";
import { simclrNet } from "@simclr/models";
import { contrastiveObjective, validateContrastive } from "@simclr/train";
import type { Method, MethodReplica, ValidationBatch } from "./method.ts";
import { methodViews } from "./method_views.ts";

/**
 * SimCLR (Chen et al., 2020), the tutorial's method: the tutorial's `convnet` (a ResNet-18
 * encoder and the projection head Linear-ReLU-Linear), two augmented views of each image,
 * InfoNCE over the whole batch (temperature `config.temperature`), with its ranking metrics.
 * The best checkpoint is the one with the highest validation top-5 accuracy.
 *
 * @example One training step
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { AdamW, ReplicaTrainer } from "@simclr/train";
 * import { methodConfig, simclrMethod } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(simclrMethod, { backend: "cpu", width: 2, hiddenDim: 8, imageSize: 8, sourceSize: 8 });
 * const replica = await simclrMethod.createReplica(config);
 * const optimizer = new AdamW(replica.model.parameters());
 * const trainer = await ReplicaTrainer.start({ replica, optimizer });
 * const pixels = new Uint8Array(4 * 8 * 8 * 3).map((_, i) => (i * 37) % 256);
 * const { loss, metrics } = await trainer.step(4, () => ({ pixels, seed: 1, labels: null }));
 * assert.ok(loss > 0 && "acc_top5" in metrics);
 * trainer.close();
 * optimizer.dispose();
 * replica.model.dispose();
 * ```
 */
export const simclrMethod: Method = {
  name: "simclr",
  title: "SimCLR",
  paper: "Chen et al., A Simple Framework for Contrastive Learning of Visual Representations, 2020",
  labels: false,
  views: null,
  hyperparameters: {},
  metrics: ["loss", "acc_top1", "acc_top5", "acc_mean_pos"],
  monitor: { metric: "val_acc_top5", mode: "max" },
  extraState: [],
  outputDim: (config) => config.hiddenDim,
  async createReplica(config): Promise<MethodReplica> {
    await selectBackend(config.backend, { log: null, threads: config.threads });
    const model = simclrNet({
      hiddenDim: config.hiddenDim,
      width: config.width,
      stem: config.stem,
      seed: config.seed,
    });
    const { nViews, temperature } = config;
    const loss = (z: tf.Tensor2D) => contrastiveObjective(z, { temperature, nViews });
    return {
      model,
      monitored: model,
      nViews,
      outputDim: config.hiddenDim,
      inputs: methodViews(config),
      forward: (views) => model.apply(views as tf.Tensor4D, { training: true }),
      loss,
      evaluate: (views) => loss(model.apply(views, { training: false })),
    };
  },
  validate: (replica, batches, config) =>
    validateContrastive(replica.model, viewsOf(replica, batches), {
      temperature: config.temperature,
      nViews: config.nViews,
    }),
};

async function* viewsOf(
  replica: MethodReplica,
  batches: AsyncIterable<ValidationBatch>,
): AsyncGenerator<tf.Tensor4D> {
  for await (const { count, payload } of batches) {
    yield replica.inputs({ start: 0, count, batchSize: count, payload }) as tf.Tensor4D;
  }
}

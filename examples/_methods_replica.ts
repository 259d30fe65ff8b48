// Copyright 2026 the simclr authors. MIT license.
// The pretraining step of the methods the tutorial points to next, as one replica each:
// SupCon (Khosla et al.), Barlow Twins (Zbontar et al.) and BYOL (Grill et al.). Like
// _simclr_replica.ts: `deno task pretrain --method ...` builds one in its own process and, with
// `--workers N`, DataParallel builds one in each worker from this module. The loss is always
// computed on the whole batch's gathered outputs, so a batch run whole, in chunks or over
// workers has the same loss (up to BatchNorm's per-part statistics, as for SimCLR).
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { registerFastWasmMatMul, selectBackend } from "@simclr/backends";
import { barlowTwins, byolLoss, supCon } from "@simclr/losses";
import {
  type BYOLNet,
  byolNet,
  HeadedNetwork,
  MLPHead,
  type Module,
  ResNetEncoder,
  simclrNet,
} from "@simclr/models";
import { mixSeed } from "@simclr/internal/random";
import type { LossOutput, Replica } from "@simclr/train";
import { type SimCLRReplicaConfig, viewsOf } from "./_simclr_replica.ts";

/** The pretraining methods besides SimCLR. */
export type Method = "supcon" | "barlow" | "byol";

/** Everything a replica is built from (structured-cloneable: it is sent to the workers). */
export interface MethodReplicaConfig extends SimCLRReplicaConfig {
  method: Method;
  /** SupCon: the loss is scaled by temperature / baseTemperature. */
  baseTemperature: number;
  /** Barlow Twins: weight of the off-diagonal term. */
  lambda: number;
  /** Barlow Twins: width of the projector's three layers; BYOL: hidden width of its MLPs. */
  projectorDim: number;
  /** BYOL: the target network's decay rate at the first step. */
  tauBase: number;
  /** BYOL: steps of the whole training (the decay rate reaches 1 there). */
  totalSteps: number;
}

/** A part's images, the batch's view seed, and (SupCon) the whole batch's labels. */
export interface MethodPayload {
  pixels: Uint8Array;
  seed: number;
  /** Labels of the whole batch (SupCon: the loss needs every image's), else null. */
  labels: Int32Array | null;
}

/** A replica of a method's step, and its loss in evaluation mode for validation. */
export interface MethodReplica extends Replica<MethodPayload> {
  model: Module<tf.Tensor4D, tf.Tensor2D>;
  /** The encoder and projector the online monitors watch (BYOL's online network). */
  monitored: HeadedNetwork;
  /** Width of one output row (what DataParallel exchanges). */
  outputDim: number;
  /** The method's loss of a batch's views with BatchNorm's running statistics (validation). */
  evaluate(views: tf.Tensor4D, payload: MethodPayload): LossOutput;
}

/** Output width of a method's network for `config` (also the data-parallel row size). */
export function outputDim(config: Omit<MethodReplicaConfig, "backend" | "threads">): number {
  if (config.method === "barlow") return config.projectorDim;
  if (config.method === "byol") return 2 * config.hiddenDim; // predictions | target projections
  return config.hiddenDim;
}

/** A replica of `config.method`'s step (every call with the same config builds the same network). */
export async function createReplica(config: MethodReplicaConfig): Promise<MethodReplica> {
  await selectBackend(config.backend, { log: null, threads: config.threads });
  // The wide projectors' backward passes are transposed matMuls: fast on wasm with this (not
  // registered for SimCLR, whose runs stay bit-identical to those before it).
  if (tf.getBackend() === "wasm") registerFastWasmMatMul();
  const { nViews, width, stem, seed } = config;
  const inputs = viewsOf(config) as MethodReplica["inputs"];
  const dim = outputDim(config);
  // SupCon and Barlow Twins: one network, whose projections the loss compares.
  const headedReplica = (
    model: HeadedNetwork,
    loss: (z: tf.Tensor2D, payload: MethodPayload) => LossOutput,
  ): MethodReplica => ({
    model,
    monitored: model,
    nViews,
    outputDim: dim,
    inputs,
    forward: (x) => model.apply(x as tf.Tensor4D, { training: true }),
    loss,
    evaluate: (views, payload) => loss(model.apply(views, { training: false }), payload),
  });
  if (config.method === "supcon") {
    // The SimCLR network: SupCon's projection head is the same MLP (Linear, ReLU, Linear).
    const model = simclrNet({ hiddenDim: config.hiddenDim, width, stem, seed });
    const { temperature, baseTemperature } = config;
    const loss = (z: tf.Tensor2D, { labels }: MethodPayload): LossOutput => {
      if (labels === null) throw new TypeError("supcon: the payload has no labels");
      const t = tf.tensor1d(labels, "int32");
      const out = supCon(z, { labels: t, nViews, temperature, baseTemperature });
      t.dispose();
      return out;
    };
    return headedReplica(model, loss);
  }
  if (config.method === "barlow") {
    // The paper's projector: Linear-BN-ReLU, Linear-BN-ReLU, Linear, no biases.
    const encoder = new ResNetEncoder({ block: "basic", layers: [2, 2, 2, 2], width, stem, seed });
    const p = config.projectorDim;
    const projector = new MLPHead([encoder.featureDim, p, p, p], {
      batchNorm: true,
      bias: false,
      seed: mixSeed(seed, 1),
    });
    const model = new HeadedNetwork(encoder, projector);
    const loss = (z: tf.Tensor2D): LossOutput => {
      const { loss, onDiagonal, offDiagonal } = barlowTwins(z, { lambda: config.lambda });
      return { loss, metrics: { on_diagonal: onDiagonal, off_diagonal: offDiagonal } };
    };
    return headedReplica(model, loss);
  }
  const model: BYOLNet = byolNet({
    hiddenDim: config.hiddenDim,
    projectorDim: config.projectorDim,
    width,
    stem,
    seed,
  });
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
    nViews,
    outputDim: dim,
    inputs,
    forward: (x) => outputs(x as tf.Tensor4D, true),
    loss,
    evaluate: (views) => loss(outputs(views, false)),
    afterStep: () =>
      model.updateTarget({ baseMomentum: config.tauBase, totalSteps: config.totalSteps }),
  };
}

/**
 * A method's validation pass: its loss (and metrics) in evaluation mode over batches of
 * views, averaged over images; batches of a single image are skipped. Each batch's views are
 * made by `replica.inputs` and disposed once used.
 *
 * @param replica The replica whose model is validated.
 * @param batches Each batch's payload and image count.
 * @returns `loss` and the method's metrics, each the mean over images.
 */
export async function validateMethod(
  replica: MethodReplica,
  batches: AsyncIterable<{ count: number; payload: MethodPayload }>,
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  let images = 0;
  for await (const { count, payload } of batches) {
    if (count < 2) continue;
    const views = replica.inputs({ start: 0, count, batchSize: count, payload }) as tf.Tensor4D;
    let names: string[] = [];
    const packed = tf.tidy(() => {
      const { loss, metrics = {} } = replica.evaluate(views, payload);
      names = ["loss", ...Object.keys(metrics)];
      return tf.stack([loss, ...Object.values(metrics)]);
    });
    views.dispose();
    const values = await packed.data(); // async: webgpu has no dataSync
    packed.dispose();
    names.forEach((name, i) => sums[name] = (sums[name] ?? 0) + values[i] * count);
    images += count;
  }
  if (images === 0) throw new RangeError("validateMethod(): no batch of 2 or more images");
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / images]));
}

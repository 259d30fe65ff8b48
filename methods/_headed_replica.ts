// Copyright 2026 the simclr authors. MIT license.
// Internal: the replica of a method with one network whose outputs its loss compares (SupCon,
// Barlow Twins).
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { registerFastWasmMatMul, selectBackend } from "@simclr/backends";
import type { HeadedNetwork } from "@simclr/models";
import type { LossOutput } from "@simclr/train";
import type { MethodConfig, MethodPayload, MethodReplica } from "./method.ts";
import { methodViews } from "./method_views.ts";

/** Starts the backend, then builds the network and its replica around `loss`. */
export async function headedReplica(
  config: MethodConfig,
  network: () => HeadedNetwork,
  loss: (z: tf.Tensor2D, payload: MethodPayload) => LossOutput,
  outputDim: number = config.hiddenDim,
): Promise<MethodReplica> {
  await startMethodBackend(config);
  const model = network();
  return {
    model,
    monitored: model,
    nViews: config.nViews,
    outputDim,
    inputs: methodViews(config),
    forward: (x) => model.apply(x as tf.Tensor4D, { training: true }),
    loss,
    evaluate: (views, payload) => loss(model.apply(views, { training: false }), payload),
  };
}

/**
 * Starts the replica's backend. The wide projectors' backward passes are transposed matMuls:
 * fast on wasm with the registered kernel (not registered for SimCLR, whose runs stay
 * bit-identical to those before it).
 */
export async function startMethodBackend(config: MethodConfig): Promise<void> {
  await selectBackend(config.backend, { log: null, threads: config.threads });
  if (tf.getBackend() === "wasm") registerFastWasmMatMul();
}

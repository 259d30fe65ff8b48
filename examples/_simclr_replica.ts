// Copyright 2026 the simclr authors. MIT license.
// The SimCLR pretraining step's parts, as one replica: the network, the views of a part of a
// batch, the forward pass and the loss. `deno task pretrain` builds one in its own process and,
// with `--workers N`, DataParallel builds one in each worker from this module.
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { simclrViews } from "@simclr/augment";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import { simclrNet } from "@simclr/models";
import { contrastiveObjective, type Replica } from "@simclr/train";

/** Everything a replica is built from (structured-cloneable: it is sent to the workers). */
export interface SimCLRReplicaConfig {
  backend: BackendRequest;
  threads: number;
  hiddenDim: number;
  width: number;
  stem: "imagenet" | "cifar";
  seed: number;
  /** Side of the stored images. */
  sourceSize: number;
  /** Side of the views (the network's input). */
  imageSize: number;
  nViews: number;
  cropMinScale: number;
  hue: number;
  /** The range of GaussianBlur's sigma, in pixels of the views. */
  blurSigma: readonly [number, number];
  temperature: number;
  /** Random views instead of augmented images (the benchmark's step: no data, no augmentation). */
  synthetic?: boolean;
}

/** What a replica gets for its part of a batch: the part's images and the batch's view seed. */
export interface SimCLRPayload {
  pixels: Uint8Array;
  seed: number;
}

/** A replica of the SimCLR step (every call with the same config builds the same network). */
export async function createReplica(
  config: SimCLRReplicaConfig,
): Promise<Replica<SimCLRPayload> & { model: ReturnType<typeof simclrNet> }> {
  await selectBackend(config.backend, { log: null, threads: config.threads });
  const model = simclrNet({
    hiddenDim: config.hiddenDim,
    width: config.width,
    stem: config.stem,
    seed: config.seed,
  });
  const { nViews, temperature } = config;
  return {
    model,
    nViews,
    inputs: viewsOf(config),
    forward: (views) => model.apply(views as tf.Tensor4D, { training: true }),
    loss: (projections) => contrastiveObjective(projections, { temperature, nViews }),
  };
}

/**
 * The views of a part of a batch, view-major (`Replica.inputs`): the tutorial's augmentations
 * of the part's images, seeded by the batch (random views with `synthetic`). Every method's
 * replica makes its views with this.
 */
export function viewsOf(
  config: Omit<SimCLRReplicaConfig, "hiddenDim" | "temperature">,
): Replica<Pick<SimCLRPayload, "pixels" | "seed">>["inputs"] {
  const { sourceSize, imageSize, nViews, cropMinScale, hue, blurSigma } = config;
  return ({ start, count, batchSize, payload }) =>
    config.synthetic
      ? tf.tidy(() => {
        const shape = [nViews, batchSize, imageSize, imageSize, 3];
        const all = tf.randomUniform(shape, -1, 1, "float32", payload.seed);
        const part = tf.slice(all, [0, start], [nViews, count]);
        return tf.reshape(part, [nViews * count, imageSize, imageSize, 3]);
      })
      : simclrViews({ pixels: payload.pixels, height: sourceSize, width: sourceSize }, {
        seed: payload.seed,
        nViews,
        size: imageSize,
        cropScale: [cropMinScale, 1],
        hue,
        blurSigma,
        part: { batchSize, start },
      });
}

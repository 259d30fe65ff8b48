// Copyright 2026 the simclr authors. MIT license.
// Internal: the supervised baseline's step as one replica: a ResNet-18 classifier, the
// tutorial's training view of a part of a batch, and the cross-entropy of the whole batch.
// `baseline()` builds one in its own process and, with `workers`, one in each worker.
import * as tf from "@tensorflow/tfjs"; // the gradients of every op
import { baselineView } from "@simclr/augment";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import { resnet18 } from "@simclr/models";
import type { Replica } from "@simclr/train";

/** Everything a replica is built from (structured-cloneable: it is sent to the workers). */
export interface BaselineReplicaConfig {
  backend: BackendRequest;
  threads: number;
  numClasses: number;
  width: number;
  stem: "imagenet" | "cifar";
  seed: number;
  /** Side of the stored images. */
  sourceSize: number;
  /** Side of the network's input. */
  imageSize: number;
}

/** A part's images, the batch's view seed, and the whole batch's labels (for the loss). */
export interface BaselinePayload {
  pixels: Uint8Array;
  seed: number;
  labels: Int32Array;
}

/** A replica of the baseline step (every call with the same config builds the same network). */
export async function createReplica(
  config: BaselineReplicaConfig,
): Promise<Replica<BaselinePayload> & { model: ReturnType<typeof resnet18> }> {
  await selectBackend(config.backend, { log: null, threads: config.threads });
  const model = resnet18({
    numClasses: config.numClasses,
    width: config.width,
    stem: config.stem,
    seed: config.seed,
  });
  const { sourceSize, imageSize, numClasses } = config;
  return {
    model,
    nViews: 1,
    inputs: ({ start, batchSize, payload }) =>
      baselineView({ pixels: payload.pixels, height: sourceSize, width: sourceSize }, {
        seed: payload.seed,
        size: imageSize,
        part: { batchSize, start },
      }),
    forward: (images) => model.apply(images as tf.Tensor4D, { training: true }),
    loss(logits, { labels }) {
      const targets = tf.oneHot(tf.tensor1d(labels, "int32"), numClasses, 1, 0, "float32");
      const correct = tf.equal(tf.argMax(logits, 1), tf.argMax(targets, 1));
      return {
        loss: tf.losses.softmaxCrossEntropy(targets, logits) as tf.Scalar,
        metrics: { acc: tf.mean(tf.cast(correct, "float32")) as tf.Scalar },
      };
    },
  };
}

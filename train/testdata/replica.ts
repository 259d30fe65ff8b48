// A data-parallel replica for the tests: a width-2 SimCLR network on seeded random "views",
// with BatchNorm in training or evaluation mode, and a failure to order (through the payload).
import * as tf from "@tensorflow/tfjs";
import { selectBackend } from "@simclr/backends";
import { infoNCE } from "@simclr/losses";
import { simclrNet } from "@simclr/models";
import type { Replica } from "../data_parallel.ts";

/** What every replica is built from. */
export interface TestReplicaConfig {
  /** BatchNorm mode of the forward pass: `false` makes the parts independent. */
  training: boolean;
  /** The backend of every replica (default `"cpu"`). */
  backend?: "cpu" | "native";
}

/** What a replica gets for its part: the seed of the batch's views, and whether to fail. */
export interface TestPayload {
  seed: number;
  fail?: boolean;
}

/** The whole batch's views, `[2 * batchSize, 8, 8, 3]` view-major, from a seed. */
export function batchViews(seed: number, batchSize: number): tf.Tensor4D {
  return tf.randomNormal([2 * batchSize, 8, 8, 3], 0, 1, "float32", seed) as tf.Tensor4D;
}

/** The replica: every call builds the same network (same seed). */
export async function createReplica(config: TestReplicaConfig): Promise<Replica<TestPayload>> {
  await selectBackend(config.backend ?? "cpu", { log: null });
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed: 3 });
  return {
    model,
    nViews: 2,
    inputs({ start, count, batchSize, payload }) {
      if (payload.fail) throw new Error("a replica failed on purpose");
      return tf.tidy(() => {
        const views = tf.reshape(batchViews(payload.seed, batchSize), [2, batchSize, 8, 8, 3]);
        return tf.reshape(tf.slice(views, [0, start], [2, count]), [2 * count, 8, 8, 3]);
      });
    },
    forward: (x) => model.apply(x as tf.Tensor4D, { training: config.training }),
    loss(z) {
      const { loss, top1, top5, meanPos } = infoNCE(z, { temperature: 0.5 });
      return { loss, metrics: { acc_top1: top1, acc_top5: top5, acc_mean_pos: meanPos } };
    },
  };
}

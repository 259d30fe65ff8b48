// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage } from "@simclr/internal/checks";
import type { MethodReplica, ValidationBatch } from "./method.ts";

/**
 * A method's validation pass: its loss (and metrics) in evaluation mode
 * ({@linkcode MethodReplica.evaluate}) over batches of views, averaged over images; batches of
 * a single image are skipped. Each batch's views are made by `replica.inputs` and disposed once
 * used. What SupCon, Barlow Twins and BYOL validate with (SimCLR's is `validateContrastive`).
 *
 * @param replica The replica whose model is validated.
 * @param batches Each batch's image count and payload.
 * @returns `loss` and the method's metrics, each the mean over images.
 *
 * @example Barlow Twins' loss and its two terms
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { barlowTwinsMethod, methodConfig, validateMethod } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(barlowTwinsMethod, { backend: "cpu", width: 2, imageSize: 8, sourceSize: 8 });
 * const replica = await barlowTwinsMethod.createReplica(config);
 * async function* batches() {
 *   yield { count: 4, payload: { pixels: new Uint8Array(4 * 8 * 8 * 3).fill(99), seed: 1, labels: null } };
 * }
 * const before = tf.memory().numTensors;
 * const metrics = await validateMethod(replica, batches());
 * assert.deepEqual(Object.keys(metrics), ["loss", "on_diagonal", "off_diagonal"]);
 * assert.equal(tf.memory().numTensors, before);
 * replica.model.dispose();
 * ```
 */
export async function validateMethod(
  replica: MethodReplica,
  batches: AsyncIterable<ValidationBatch>,
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
  if (images === 0) {
    throw new RangeError(
      argumentMessage("validateMethod()", "batches had no batch of 2 or more images", "one"),
    );
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / images]));
}

// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { simclrViews } from "@simclr/augment";
import type { MethodConfig, MethodPayload, MethodReplica } from "./method.ts";

/**
 * The views of a part of a batch, view-major (`Replica.inputs`): the tutorial's augmentations
 * (`contrast_transforms`) of the part's images, seeded by the batch, so that a batch run
 * whole, in chunks or on workers gets the same views; random views with `config.synthetic`.
 * Every method's replica makes its views with this.
 *
 * @param config The views' settings: image sides, views per image, crop, hue and blur.
 * @returns The replica's `inputs` function.
 *
 * @example Two views of each of two images
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { methodViews } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const inputs = methodViews({
 *   sourceSize: 16, imageSize: 8, nViews: 2, cropMinScale: 0.5, hue: 0.1, blurSigma: [0.1, 2],
 * });
 * const payload = { pixels: new Uint8Array(2 * 16 * 16 * 3).fill(128), seed: 1, labels: null };
 * const views = inputs({ start: 0, count: 2, batchSize: 2, payload });
 * assert.deepEqual(views.shape, [4, 8, 8, 3]); // view-major: [view0 of 0, 1, view1 of 0, 1]
 * views.dispose();
 * ```
 */
export function methodViews(
  config: Pick<
    MethodConfig,
    "sourceSize" | "imageSize" | "nViews" | "cropMinScale" | "hue" | "blurSigma" | "synthetic"
  >,
): MethodReplica["inputs"] {
  const { sourceSize, imageSize, nViews, cropMinScale, hue, blurSigma } = config;
  return ({ start, count, batchSize, payload }: {
    start: number;
    count: number;
    batchSize: number;
    payload: MethodPayload;
  }) =>
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

// Copyright 2026 the simclr authors. MIT license.
/**
 * simclr: self-supervised contrastive learning (SimCLR, and SupCon, Barlow Twins, BYOL) on
 * TensorFlow.js, the whole library in one import: the package `@simclr/simclr` (this file).
 * Each part is also its own package: `@simclr/augment`, `@simclr/losses`, `@simclr/models`,
 * `@simclr/datasets`, `@simclr/backends`, `@simclr/train`, `@simclr/methods`, `@simclr/eval`
 * and `@simclr/pipeline` (the commands' `pretrain()`, `probe()`, `baseline()` as functions;
 * see ARCHITECTURE.md for what lives where).
 *
 * @example The loss
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { infoNCE } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const features = tf.tile(tf.eye(4), [2, 1]) as tf.Tensor2D; // 2 identical views of 4 images
 * const { loss, top1, top5, meanPos } = infoNCE(features);
 * assert.equal((await top1.data())[0], 1); // each view finds its twin first
 * tf.dispose([features, loss, top1, top5, meanPos]);
 * ```
 *
 * @example The pipeline: the methods' hyperparameters, the presets as data
 * ```ts
 * import { METHODS, PRESETS, resolvePretrainConfig } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(Object.keys(METHODS), ["simclr", "supcon", "barlow", "byol"]);
 * const config = resolvePretrainConfig({ method: "byol", preset: "tutorial" });
 * assert.deepEqual([config.epochs, config.hiddenDim, config.tauBase], [PRESETS.tutorial.epochs, 256, 0.996]);
 * ```
 *
 * @module
 */
export * from "@simclr/augment";
export * from "@simclr/backends";
export * from "@simclr/datasets";
export * from "@simclr/eval";
export * from "@simclr/losses";
export * from "@simclr/methods";
export * from "@simclr/models";
export * from "@simclr/pipeline";
export * from "@simclr/train";

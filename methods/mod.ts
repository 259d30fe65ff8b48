// Copyright 2026 the simclr authors. MIT license.
/**
 * Pretraining methods, one file each, every one a value of the one {@linkcode Method}
 * interface: {@linkcode simclrMethod} (the tutorial's), {@linkcode supConMethod} (SupCon),
 * {@linkcode barlowTwinsMethod} (Barlow Twins) and {@linkcode byolMethod} (BYOL). A method says what its
 * network is, how it views a batch, its objective on the whole batch's outputs, what happens
 * after a step, how it validates, what it checkpoints, its hyperparameters with the papers'
 * defaults, its metrics and which one picks the best checkpoint. {@linkcode METHODS} lists them
 * by name; `ReplicaTrainer` of `@simclr/train` runs any method's steps whole, in chunks or on
 * data-parallel workers (which load {@linkcode METHOD_REPLICA_MODULE}).
 *
 * @example BYOL's step on your own images
 * ```ts
 * import "@tensorflow/tfjs"; // the gradients
 * import { byolMethod, methodConfig } from "@simclr/methods";
 * import { AdamW, ReplicaTrainer } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(byolMethod, { backend: "cpu", width: 2, imageSize: 8, sourceSize: 8 });
 * const replica = await byolMethod.createReplica(config);
 * const optimizer = new AdamW(replica.model.parameters());
 * const trainer = await ReplicaTrainer.start({ replica, optimizer });
 * const pixels = new Uint8Array(4 * 8 * 8 * 3).map((_, i) => (i * 31) % 256);
 * const { loss } = await trainer.step(4, () => ({ pixels, seed: 7, labels: null }));
 * assert.ok(loss >= 0 && loss <= 8); // then the target moved (afterStep)
 * trainer.close();
 * optimizer.dispose();
 * replica.model.dispose();
 * ```
 *
 * @module
 */
export * from "./method.ts";
export * from "./method_config.ts";
export * from "./method_views.ts";
export * from "./validate_method.ts";
export * from "./simclr.ts";
export * from "./sup_con.ts";
export * from "./barlow_twins.ts";
export * from "./byol.ts";
export * from "./registry.ts";
export * from "./method_replica_module.ts";

// Copyright 2026 the simclr authors. MIT license.
/**
 * The seeded generator the augmentations draw their parameters from: the project's one
 * generator, re-exported so that {@linkcode sampleViewParams} and friends can be called with
 * it. `createRng(seed)` fixes every view: the same seed and backend give the same bytes.
 *
 * @module
 */
export { createRng, type Rng } from "@simclr/internal/random";

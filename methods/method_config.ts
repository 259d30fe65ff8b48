// Copyright 2026 the simclr authors. MIT license.
import { DEFAULT_SEED } from "@simclr/internal/random";
import type { Method, MethodConfig, MethodHyperparameter } from "./method.ts";

/**
 * The paper's value of one of a method's hyperparameters for a run's width and temperature.
 *
 * @param hyperparameter The hyperparameter (an entry of {@linkcode Method.hyperparameters}).
 * @param run The run's ResNet width and temperature.
 * @returns The value.
 *
 * @example
 * ```ts
 * import { barlowTwinsMethod, paperValue } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * assert.equal(paperValue(barlowTwinsMethod.hyperparameters.projectorDim, { width: 8, temperature: 0.1 }), 1024);
 * ```
 */
export function paperValue(
  hyperparameter: MethodHyperparameter,
  run: { width: number; temperature: number },
): number {
  const paper = hyperparameter.paper;
  if ("value" in paper) return paper.value;
  if ("perWidth" in paper) return paper.perWidth * run.width;
  return run.temperature;
}

/**
 * A complete {@linkcode MethodConfig} for `method`: the given settings, the rest the tutorial's
 * (96 px ResNet-18 at width 64 on 96 px images, its augmentations, temperature 0.07, seed 42,
 * 1,000 steps) and the method's own hyperparameters the paper's for that width.
 *
 * @param method The method.
 * @param settings What differs from the defaults (`hyperparameters` merge into the paper's).
 * @returns The config, ready for `method.createReplica()`.
 *
 * @example
 * ```ts
 * import { byolMethod, methodConfig } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * const config = methodConfig(byolMethod, { width: 8, hyperparameters: { tauBase: 0.99 } });
 * assert.deepEqual(config.hyperparameters, { tauBase: 0.99, projectorDim: 512 });
 * assert.equal(config.hiddenDim, 32); // BYOL's projection: 4 x width
 * ```
 */
export function methodConfig(
  method: Method,
  settings: Partial<Omit<MethodConfig, "method">> = {},
): MethodConfig {
  settings = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const width = settings.width ?? 64;
  const temperature = settings.temperature ?? 0.07;
  const paper = Object.fromEntries(
    Object.entries(method.hyperparameters).map(([key, h]) => [
      key,
      paperValue(h, { width, temperature }),
    ]),
  );
  return {
    backend: "auto",
    threads: 1,
    hiddenDim: method.hiddenDimPerWidth !== undefined ? method.hiddenDimPerWidth * width : 128,
    stem: "imagenet",
    seed: DEFAULT_SEED,
    sourceSize: 96,
    imageSize: 96,
    nViews: method.views ?? 2,
    cropMinScale: 0.08,
    hue: 0.1,
    blurSigma: [0.1, 2],
    totalSteps: 1000,
    ...settings,
    method: method.name,
    width,
    temperature,
    hyperparameters: { ...paper, ...settings.hyperparameters },
  };
}

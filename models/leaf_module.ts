// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, LoadStateDictOptions, LoadStateDictResult, Module } from "./module.ts";
import { type StateEntry, StateTable } from "./_state.ts";

export type { Layout, StateEntry } from "./_state.ts";

/**
 * The base of the modules that own their variables ({@linkcode ResNetEncoder},
 * {@linkcode MLPHead}): a table of named variables, in torchvision's `state_dict()` order, that
 * answers every {@linkcode Module} method but `apply`. Build modules with this package's
 * builders; a subclass passes the entries it created to the constructor.
 *
 * @example A module of one parameter
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { LeafModule } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * class Scale extends LeafModule<tf.Tensor2D, tf.Tensor2D> {
 *   readonly #weight: tf.Variable;
 *   constructor() {
 *     const weight = tf.variable(tf.ones([1]));
 *     super([{ name: "weight", variable: weight, layout: "plain", trainable: true, noDecay: true }]);
 *     this.#weight = weight;
 *   }
 *   apply(x: tf.Tensor2D): tf.Tensor2D {
 *     return tf.mul(x, this.#weight);
 *   }
 * }
 * const m = new Scale();
 * assert.deepEqual([...m.stateShapes()], [["weight", [1]]]);
 * assert.deepEqual([...m.noDecayNames()], ["weight"]);
 * m.dispose();
 * ```
 */
export abstract class LeafModule<
  Input extends tf.Tensor = tf.Tensor4D,
  Output extends tf.Tensor = tf.Tensor2D,
> implements Module<Input, Output> {
  readonly #state: StateTable;

  /**
   * Takes ownership of the module's variables.
   *
   * @param entries The variables with their torchvision names and PyTorch layouts.
   */
  protected constructor(entries: readonly StateEntry[]) {
    this.#state = new StateTable(entries);
  }

  /**
   * Runs the module.
   *
   * @param x The input.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new tensor.
   */
  abstract apply(x: Input, options: ApplyOptions): Output;

  /**
   * Trainable parameters by torchvision name, in torchvision's order (our layout).
   *
   * @returns Names to variables (conv HWIO, linear `[in, out]`).
   */
  parameters(): Map<string, tf.Variable> {
    return this.#state.parameters();
  }

  /**
   * BatchNorm running statistics (float32) and `num_batches_tracked` (int32).
   *
   * @returns Names to non-trainable variables.
   */
  buffers(): Map<string, tf.Variable> {
    return this.#state.buffers();
  }

  /**
   * Parameters to exclude from weight decay: biases and BatchNorm weights.
   *
   * @returns A subset of the names of {@linkcode LeafModule.parameters}.
   */
  noDecayNames(): Set<string> {
    return this.#state.noDecayNames();
  }

  /**
   * Every key of the state dict with its PyTorch-layout shape.
   *
   * @returns Keys to shapes, in state-dict order.
   */
  stateShapes(): Map<string, number[]> {
    return this.#state.stateShapes();
  }

  /**
   * Every parameter and buffer in PyTorch layout (conv OIHW, linear `[out, in]`).
   *
   * @returns New tensors by torchvision key; the caller disposes them.
   */
  stateDict(): Map<string, tf.Tensor> {
    return this.#state.stateDict();
  }

  /**
   * Loads PyTorch-layout tensors (converted and copied; the inputs stay the caller's).
   *
   * @param stateDict Tensors by torchvision key (e.g. from {@linkcode loadTorchCheckpoint}).
   * @param options `prefix` to select and strip (e.g. `"convnet."`); `strict` (default true).
   * @returns The keys that did not match (all empty when strict).
   */
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    return this.#state.loadStateDict(stateDict, options);
  }

  /** Disposes the module's variables (idempotent). */
  dispose(): void {
    this.#state.dispose();
  }
}

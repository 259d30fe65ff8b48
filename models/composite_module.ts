// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, LoadStateDictOptions, LoadStateDictResult, Module } from "./module.ts";
import { matchStateDict } from "./_state.ts";

/** One part of a {@linkcode CompositeModule}: its key prefix, and whether it is frozen. */
export interface Part {
  /** Prepended to the part's keys, e.g. `"fc."`. */
  prefix: string;
  /** The part. */
  module: Module<tf.Tensor, tf.Tensor>;
  /** A frozen part's parameters are not trained: the whole holds them among its buffers. */
  frozen?: boolean;
}

/** The parts' entries under their prefixes, in part order. */
function mergeParts<T>(
  parts: readonly Part[],
  get: (part: Part) => Map<string, T>,
): Map<string, T> {
  const out = new Map<string, T>();
  for (const part of parts) {
    for (const [key, value] of get(part)) out.set(part.prefix + key, value);
  }
  return out;
}

/**
 * The base of the modules made of modules ({@linkcode HeadedNetwork}, {@linkcode BYOLNet}): it
 * answers every {@linkcode Module} method but `apply` from its parts, each under its key
 * prefix, in part order. A frozen part's parameters count among the whole's buffers (they
 * are saved and loaded, not trained). Disposing the whole disposes every part.
 *
 * @example An online head that trains and a frozen copy that does not
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { CompositeModule, MLPHead, type Part } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * class Twin extends CompositeModule<tf.Tensor2D, tf.Tensor2D> {
 *   readonly online = new MLPHead([2, 3]);
 *   readonly #parts: Part[] = [
 *     { prefix: "online.", module: this.online },
 *     { prefix: "target.", module: new MLPHead([2, 3]), frozen: true },
 *   ];
 *   protected get parts(): readonly Part[] {
 *     return this.#parts;
 *   }
 *   apply(x: tf.Tensor2D): tf.Tensor2D {
 *     return this.online.apply(x, { training: false });
 *   }
 * }
 * const twin = new Twin();
 * assert.deepEqual([...twin.parameters().keys()], ["online.weight", "online.bias"]);
 * assert.deepEqual([...twin.buffers().keys()], ["target.weight", "target.bias"]);
 * twin.dispose();
 * ```
 */
export abstract class CompositeModule<
  Input extends tf.Tensor = tf.Tensor4D,
  Output extends tf.Tensor = tf.Tensor2D,
> implements Module<Input, Output> {
  /** The parts, in state-dict order. */
  protected abstract get parts(): readonly Part[];

  /**
   * Runs the module.
   *
   * @param x The input.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new tensor.
   */
  abstract apply(x: Input, options: ApplyOptions): Output;

  /**
   * The trained parameters of the parts that are not frozen, under their prefixes.
   *
   * @returns Names to variables.
   */
  parameters(): Map<string, tf.Variable> {
    return mergeParts(this.parts, (p) => p.frozen ? new Map() : p.module.parameters());
  }

  /**
   * The parts' buffers, and every variable of the frozen parts, under their prefixes.
   *
   * @returns Names to non-trainable variables.
   */
  buffers(): Map<string, tf.Variable> {
    return mergeParts(
      this.parts,
      (p) =>
        p.frozen ? new Map([...p.module.parameters(), ...p.module.buffers()]) : p.module.buffers(),
    );
  }

  /**
   * The trained parameters without weight decay (biases, BatchNorm weights).
   *
   * @returns A subset of the names of `parameters()`.
   */
  noDecayNames(): Set<string> {
    return new Set(
      mergeParts(
        this.parts,
        (p) => new Map(p.frozen ? [] : [...p.module.noDecayNames()].map((n) => [n, true])),
      ).keys(),
    );
  }

  /**
   * Every state-dict key with its PyTorch-layout shape.
   *
   * @returns Keys to shapes, in part order.
   */
  stateShapes(): Map<string, number[]> {
    return mergeParts(this.parts, (p) => p.module.stateShapes());
  }

  /**
   * Every parameter and buffer in PyTorch layout.
   *
   * @returns New tensors by key; the caller disposes them.
   */
  stateDict(): Map<string, tf.Tensor> {
    return mergeParts(this.parts, (p) => p.module.stateDict());
  }

  /**
   * Loads PyTorch-layout tensors into every part; with `strict` (default), checks every key of
   * every part before loading any.
   *
   * @param stateDict Tensors by key.
   * @param options `prefix` to select and strip; `strict` (default true).
   * @returns The keys that did not match (all empty when strict).
   */
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    const { matched, ...result } = matchStateDict(this.stateShapes(), stateDict, options);
    for (const part of this.parts) {
      const own = new Map<string, tf.Tensor>();
      for (const key of part.module.stateShapes().keys()) {
        const t = matched.get(part.prefix + key);
        if (t !== undefined) own.set(key, t);
      }
      part.module.loadStateDict(own, { strict: false });
    }
    return result;
  }

  /** Disposes every part. */
  dispose(): void {
    this.parts.forEach((p) => p.module.dispose());
  }
}

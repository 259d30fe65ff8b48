// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { LeafModule } from "./leaf_module.ts";
import { Linear } from "./_layers.ts";
import { Registry } from "./_state.ts";

/** Options of {@linkcode MLPHead}. */
export interface MLPHeadOptions {
  /** Seed of the initialisation (default 42). */
  seed?: number;
}

/**
 * Fully connected layers with ReLU between them, PyTorch's default `nn.Linear` initialisation,
 * and torch's keys: one layer is a plain `nn.Linear` (`weight`, `bias`: torchvision's `fc`),
 * several a `nn.Sequential` whose linear layers sit at even indices (`0.weight`, `2.weight`,
 * ...: the tutorial's projection head `Sequential(Linear, ReLU, Linear)`).
 *
 * @example The tutorial's projection head
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { MLPHead } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const head = new MLPHead([512, 4 * 128, 128]);
 * assert.deepEqual([...head.stateShapes()], [
 *   ["0.weight", [512, 512]], ["0.bias", [512]], ["2.weight", [128, 512]], ["2.bias", [128]],
 * ]);
 * const z = head.apply(tf.ones([2, 512]), { training: true });
 * assert.deepEqual(z.shape, [2, 128]);
 * z.dispose();
 * head.dispose();
 * ```
 */
export class MLPHead extends LeafModule<tf.Tensor2D, tf.Tensor2D> {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  readonly #layers: Linear[];

  /**
   * Builds the layers.
   *
   * @param sizes Input size, hidden sizes, output size (at least two entries).
   * @param options The seed.
   */
  constructor(sizes: readonly number[], options: MLPHeadOptions = {}) {
    const fn = "MLPHead()";
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(
        argumentMessage(fn, `sizes is ${show(sizes)}`, "[input, ...hidden, output]"),
      );
    }
    sizes.forEach((n, i) => checkInteger(fn, `sizes[${i}]`, n, { min: 1 }));
    const reg = new Registry(createRng(options.seed ?? DEFAULT_SEED));
    const single = sizes.length === 2;
    const layers = sizes.slice(1).map((out, i) =>
      new Linear(reg, single ? "" : String(2 * i), sizes[i], out)
    );
    super(reg.entries);
    this.sizes = [...sizes];
    this.#layers = layers;
  }

  /**
   * Runs the layers, ReLU between them.
   *
   * @param x Features `[N, sizes[0]]`.
   * @param _options Unused (no BatchNorm); kept for the {@linkcode Module} interface.
   * @returns A new `[N, sizes.at(-1)]` tensor.
   */
  apply(x: tf.Tensor2D, _options?: { training: boolean }): tf.Tensor2D {
    return tf.tidy(() => {
      let y = x;
      this.#layers.forEach((linear, i) => {
        y = linear.apply(i > 0 ? tf.relu(y) : y);
      });
      return y;
    });
  }
}

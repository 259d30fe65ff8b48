// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { LeafModule } from "./leaf_module.ts";
import type { ApplyOptions } from "./module.ts";
import { BatchNorm1d, Linear } from "./_layers.ts";
import { Registry } from "./_state.ts";

/** Options of {@linkcode MLPHead}. */
export interface MLPHeadOptions {
  /** Seed of the initialisation (default 42). */
  seed?: number;
  /**
   * A `BatchNorm1d` after every hidden linear layer, before its ReLU (default false): the
   * projectors of Barlow Twins and BYOL, `Sequential(Linear, BatchNorm1d, ReLU, ..., Linear)`.
   */
  batchNorm?: boolean;
  /** Linear layers with a bias (default true); Barlow Twins' projector has none. */
  bias?: boolean;
}

/**
 * Fully connected layers with ReLU between them, PyTorch's default `nn.Linear` initialisation,
 * and torch's keys: one layer is a plain `nn.Linear` (`weight`, `bias`: torchvision's `fc`),
 * several a `nn.Sequential` whose linear layers sit at even indices (`0.weight`, `2.weight`,
 * ...: the tutorial's projection head `Sequential(Linear, ReLU, Linear)`). With `batchNorm`,
 * each hidden layer is `Linear, BatchNorm1d, ReLU` (PyTorch's training semantics, as the
 * ResNet's BatchNorms), so the linear layers sit at indices 0, 3, 6, ... and the BatchNorms at
 * 1, 4, ...: the projector of Barlow Twins, `batchNorm: true, bias: false`, and those of BYOL.
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
 *
 * @example Barlow Twins' projector
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { MLPHead } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const projector = new MLPHead([8, 16, 16, 4], { batchNorm: true, bias: false });
 * assert.deepEqual([...projector.stateShapes().keys()], [
 *   "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
 *   "3.weight", "4.weight", "4.bias", "4.running_mean", "4.running_var", "4.num_batches_tracked",
 *   "6.weight",
 * ]);
 * const z = projector.apply(tf.randomNormal([5, 8]), { training: true }); // batch statistics
 * assert.deepEqual(z.shape, [5, 4]);
 * z.dispose();
 * projector.dispose();
 * ```
 */
export class MLPHead extends LeafModule<tf.Tensor2D, tf.Tensor2D> {
  /** Layer sizes, input first. */
  readonly sizes: readonly number[];
  /** Whether each hidden layer has a `BatchNorm1d`. */
  readonly batchNorm: boolean;
  readonly #layers: Linear[];
  readonly #norms: BatchNorm1d[];

  /**
   * Builds the layers.
   *
   * @param sizes Input size, hidden sizes, output size (at least two entries).
   * @param options The seed, BatchNorm after the hidden layers, biases.
   */
  constructor(sizes: readonly number[], options: MLPHeadOptions = {}) {
    const fn = "MLPHead()";
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(
        argumentMessage(fn, `sizes is ${show(sizes)}`, "[input, ...hidden, output]"),
      );
    }
    sizes.forEach((n, i) => checkInteger(fn, `sizes[${i}]`, n, { min: 1 }));
    const { batchNorm = false, bias = true } = options;
    const reg = new Registry(createRng(options.seed ?? DEFAULT_SEED));
    const single = sizes.length === 2;
    const stride = batchNorm ? 3 : 2; // modules per hidden layer: Linear, (BatchNorm1d,) ReLU
    const layers: Linear[] = [];
    const norms: BatchNorm1d[] = [];
    sizes.slice(1).forEach((out, i) => {
      layers.push(new Linear(reg, single ? "" : String(stride * i), sizes[i], out, bias));
      if (batchNorm && i < sizes.length - 2) {
        norms.push(new BatchNorm1d(reg, String(stride * i + 1), out));
      }
    });
    super(reg.entries);
    this.sizes = [...sizes];
    this.batchNorm = batchNorm;
    this.#layers = layers;
    this.#norms = norms;
  }

  /**
   * Runs the layers, ReLU (after BatchNorm, with `batchNorm`) between them.
   *
   * @param x Features `[N, sizes[0]]`.
   * @param options `training` selects batch or running BatchNorm statistics (needed with
   *   `batchNorm`; without it there is no BatchNorm and it may be left out).
   * @returns A new `[N, sizes.at(-1)]` tensor.
   */
  apply(x: tf.Tensor2D, options?: ApplyOptions): tf.Tensor2D {
    if (this.batchNorm && typeof options?.training !== "boolean") {
      throw new TypeError(
        argumentMessage(
          "MLPHead.apply()",
          `options.training is ${show(options?.training)}`,
          "a boolean (the head has BatchNorm)",
        ),
      );
    }
    return tf.tidy(() => {
      let y = x;
      this.#layers.forEach((linear, i) => {
        if (i > 0) {
          const norm = this.#norms[i - 1];
          y = tf.relu(norm ? norm.apply(y, options!.training) : y);
        }
        y = linear.apply(y);
      });
      return y;
    });
  }
}

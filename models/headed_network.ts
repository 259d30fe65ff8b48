// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { CompositeModule, type Part } from "./composite_module.ts";
import type { ApplyOptions, Module } from "./module.ts";

/** A module that maps images to features, e.g. {@linkcode ResNetEncoder}. */
export type Encoder = Module<tf.Tensor4D, tf.Tensor2D>;

/** A module that maps features to outputs, e.g. {@linkcode MLPHead}. */
export type Head = Module<tf.Tensor2D, tf.Tensor2D>;

/**
 * An encoder followed by a head, as torchvision's networks end in `fc`: `apply(x)` is
 * `head.apply(encoder.apply(x))`, and the state dict holds the encoder's keys, then the head's
 * under `fc.` (`conv1.weight`, ..., `fc.weight` or `fc.0.weight`, ...). The parts stay
 * modules of their own: `network.encoder` is the network without its head (the tutorial's
 * `fc = nn.Identity()`), sharing its variables; disposing the network disposes both parts,
 * disposing a part frees only that part.
 *
 * {@linkcode ResNet} (a classifier) and {@linkcode SimCLRNet} (an encoder with a projection
 * head) are headed networks.
 *
 * @example Compose a classifier from parts
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { HeadedNetwork, MLPHead, ResNetEncoder } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const encoder = new ResNetEncoder({ block: "basic", layers: [1, 1, 1, 1], width: 4 });
 * const net = new HeadedNetwork(encoder, new MLPHead([encoder.featureDim, 3]));
 * const y = net.apply(tf.zeros([2, 16, 16, 3]), { training: false });
 * assert.deepEqual(y.shape, [2, 3]);
 * assert.deepEqual([...net.stateShapes().keys()].slice(-2), ["fc.weight", "fc.bias"]);
 * y.dispose();
 * net.dispose();
 * ```
 */
export class HeadedNetwork<E extends Encoder = Encoder, H extends Head = Head>
  extends CompositeModule {
  /** The network without its head: images to features. */
  readonly encoder: E;
  /** The head: features to outputs (state-dict keys under `fc.`). */
  readonly head: H;
  readonly #parts: readonly Part[];

  /**
   * Joins an encoder and a head; the network owns both.
   *
   * @param encoder Images to features.
   * @param head Features to outputs.
   */
  constructor(encoder: E, head: H) {
    super();
    this.encoder = encoder;
    this.head = head;
    this.#parts = [{ prefix: "", module: encoder }, { prefix: "fc.", module: head }];
  }

  /**
   * Runs the encoder, then the head.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, outputs]` tensor.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.encoder.apply(x, options), options));
  }

  /** The encoder, then the head under `fc.`. */
  protected get parts(): readonly Part[] {
    return this.#parts;
  }
}

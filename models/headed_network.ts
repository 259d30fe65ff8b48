// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import type { ApplyOptions, LoadStateDictOptions, LoadStateDictResult, Module } from "./module.ts";
import { composite, type Part } from "./_state.ts";

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
export class HeadedNetwork<E extends Encoder = Encoder, H extends Head = Head> implements Module {
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

  /**
   * The parts' parameters, the head's under `fc.`.
   *
   * @returns Names to variables.
   */
  parameters(): Map<string, tf.Variable> {
    return composite.parameters(this.#parts);
  }

  /**
   * The parts' buffers, the head's under `fc.`.
   *
   * @returns Names to non-trainable variables.
   */
  buffers(): Map<string, tf.Variable> {
    return composite.buffers(this.#parts);
  }

  /**
   * The parts' parameters without weight decay.
   *
   * @returns A subset of the names of {@linkcode HeadedNetwork.parameters}.
   */
  noDecayNames(): Set<string> {
    return composite.noDecayNames(this.#parts);
  }

  /**
   * Every state-dict key with its PyTorch-layout shape.
   *
   * @returns Keys to shapes, encoder first.
   */
  stateShapes(): Map<string, number[]> {
    return composite.stateShapes(this.#parts);
  }

  /**
   * Every parameter and buffer in PyTorch layout.
   *
   * @returns New tensors by torchvision key; the caller disposes them.
   */
  stateDict(): Map<string, tf.Tensor> {
    return composite.stateDict(this.#parts);
  }

  /**
   * Loads PyTorch-layout tensors into both parts; with `strict` (default), checks every key of
   * both before loading any.
   *
   * @param stateDict Tensors by torchvision key.
   * @param options `prefix` to select and strip; `strict` (default true).
   * @returns The keys that did not match (all empty when strict).
   */
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    return composite.loadStateDict(this.#parts, stateDict, options);
  }

  /** Disposes the encoder and the head. */
  dispose(): void {
    this.encoder.dispose();
    this.head.dispose();
  }
}

import type * as tf from "@tensorflow/tfjs-core";
import { STATE, type StateTable } from "./_layers.ts";
import type { LoadStateDictOptions, LoadStateDictResult, Module } from "./module.ts";
import { ResNet } from "./resnet.ts";

/** Options of {@linkcode simclrNet}. */
export interface SimCLRNetOptions {
  /** Output size `h` of the projection head (default 128, as the tutorial). */
  hiddenDim?: number;
  /** Base channel count (default 64: the 512-d features of ResNet-18). */
  width?: number;
  /** `"imagenet"` (default, the tutorial's) or `"cifar"` stem. */
  stem?: "imagenet" | "cifar";
  /** Zero-initialise the last BatchNorm weight of each residual block (default false). */
  zeroInitResidual?: boolean;
  /** Seed of the initialisation (default 0). */
  seed?: number;
}

/** The encoder of a {@linkcode SimCLRNet}: the ResNet without its head, sharing its variables. */
class Encoder implements Module {
  readonly #net: SimCLRNet;
  readonly #state: StateTable;
  constructor(net: SimCLRNet, state: StateTable) {
    this.#net = net;
    this.#state = state;
  }
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D {
    return this.#net.features(x, options);
  }
  parameters(): Map<string, tf.Variable> {
    return this.#state.parameters();
  }
  buffers(): Map<string, tf.Variable> {
    return this.#state.buffers();
  }
  noDecayNames(): Set<string> {
    return this.#state.noDecayNames();
  }
  stateDict(): Map<string, tf.Tensor> {
    return this.#state.stateDict();
  }
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    return this.#state.loadStateDict(stateDict, options);
  }
  /** Disposes the shared network (encoder and head). */
  dispose(): void {
    this.#net.dispose();
  }
}

/**
 * The tutorial's `convnet`: torchvision's `resnet18(num_classes=4*hiddenDim)` whose `fc` becomes
 * `Sequential(Linear(512, 4*hiddenDim), ReLU, Linear(4*hiddenDim, hiddenDim))` (keys `fc.0.*`,
 * `fc.2.*`). `encoder` is the network with the head removed (the tutorial's `fc = Identity()`),
 * sharing the same variables.
 */
export class SimCLRNet extends ResNet {
  /** The network without the projection head: `[N, featureDim]` outputs, shared variables. */
  readonly encoder: Module;
  /** Output size of the projection head. */
  readonly hiddenDim: number;

  /**
   * Builds the network (prefer {@linkcode simclrNet}).
   *
   * @param options Head size, width, stem, zero-init of residual BatchNorms, seed.
   */
  constructor(options: SimCLRNetOptions = {}) {
    const { hiddenDim = 128, ...rest } = options;
    if (!Number.isInteger(hiddenDim) || hiddenDim < 1) {
      throw new RangeError(`simclrNet(): hiddenDim must be a positive integer, got ${hiddenDim}`);
    }
    super({
      ...rest,
      block: "basic",
      layers: [2, 2, 2, 2],
      numClasses: hiddenDim,
      headHidden: [4 * hiddenDim],
    });
    this.hiddenDim = hiddenDim;
    const body = STATE.get(this)!.subset((name) => !name.startsWith("fc."));
    this.encoder = new Encoder(this, body);
  }
}

/**
 * The tutorial's SimCLR network (see {@linkcode SimCLRNet}).
 *
 * @example Projections for the loss, features for the probe
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { SimCLRNet, simclrNet, type SimCLRNetOptions } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const options: SimCLRNetOptions = { hiddenDim: 16, width: 8 };
 * const net = simclrNet(options);
 * assert(net instanceof SimCLRNet);
 * const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
 * const z = net.apply(x, { training: false });
 * const h = net.encoder.apply(x, { training: false });
 * assert.deepStrictEqual([z.shape, h.shape], [[2, 16], [2, 64]]);
 * assert.deepStrictEqual([...net.parameters().keys()].slice(-4), [
 *   "fc.0.weight", "fc.0.bias", "fc.2.weight", "fc.2.bias",
 * ]);
 * tf.dispose([x, z, h]);
 * net.dispose();
 * ```
 *
 * @param options Head size (default 128), width (default 64), stem, zero-init, seed.
 * @returns The network, with `.encoder`, `.featureDim` and `.hiddenDim`.
 */
export function simclrNet(options: SimCLRNetOptions = {}): SimCLRNet {
  return new SimCLRNet(options);
}

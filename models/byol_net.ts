// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { checkInteger, checkNumber } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED, mixSeed } from "@simclr/internal/random";
import { HeadedNetwork } from "./headed_network.ts";
import { LeafModule } from "./leaf_module.ts";
import { MLPHead } from "./mlp_head.ts";
import type { ApplyOptions } from "./module.ts";
import { ResNetEncoder } from "./resnet_encoder.ts";
import { Registry } from "./_state.ts";
import { CompositeModule, type Part } from "./composite_module.ts";

/** Options of {@linkcode byolNet}. */
export interface BYOLNetOptions {
  /** Output size of the projector and the predictor (the paper's 256; default 256). */
  hiddenDim?: number;
  /** Hidden size of the projector and the predictor MLPs (the paper's 4096; default 4096). */
  projectorDim?: number;
  /** Base channel count of the ResNet-18 (default 64: 512-d features). */
  width?: number;
  /** `"imagenet"` (default) or `"cifar"` stem. */
  stem?: "imagenet" | "cifar";
  /** Zero-initialise the last BatchNorm weight of each residual block (default false). */
  zeroInitResidual?: boolean;
  /** Seed of the initialisation (default 42). */
  seed?: number;
}

/** Options of {@linkcode BYOLNet.updateTarget}. */
export interface UpdateTargetOptions {
  /** The target decay rate at the first step, `tau_base` (the paper's 0.996; default 0.996). */
  baseMomentum?: number;
  /** Steps of the whole training, `K`: the decay rate reaches 1 there. */
  totalSteps: number;
}

/** The number of target updates so far, a buffer so that checkpoints and replicas carry it. */
class UpdateCounter extends LeafModule<tf.Tensor, tf.Tensor> {
  readonly count: tf.Variable;
  constructor() {
    const reg = new Registry(createRng(0));
    const count = reg.add("target_updates", tf.scalar(0, "int32"), "plain", false, false);
    super(reg.entries);
    this.count = count;
  }
  apply(x: tf.Tensor): tf.Tensor {
    return tf.clone(x);
  }
}

/**
 * The networks of BYOL (Grill et al., 2020) around a ResNet-18: the online network (encoder
 * and projector, `online`), its predictor, and the target network (encoder and projector, a
 * slowly moving average of the online ones). The projector and the predictor are the paper's
 * MLP, `Linear, BatchNorm1d, ReLU, Linear` ({@linkcode MLPHead} with `batchNorm`).
 *
 * `apply(x)` gives the online predictions and `targetProjections(x)` the target's projections,
 * which the BYOL loss (`byolLoss` of `@simclr/losses`) regresses the predictions onto. Only the
 * online network and the predictor are parameters (trained); the target's weights are buffers,
 * moved after each optimiser step by {@linkcode BYOLNet.updateTarget}: `target <- tau * target
 * + (1 - tau) * online`, with `tau` going from `baseMomentum` to 1 by a cosine over training,
 * as the paper. The target's BatchNorm running statistics follow its own forward passes.
 *
 * State-dict keys: the online encoder as torchvision's (`conv1.weight`, ...), the projector
 * under `fc.`, the predictor under `predictor.`, the target network under `target.`, and the
 * count of target updates as `target_updates` (int32). Being buffers, the target and the count
 * travel with every checkpoint (a resumed run continues the schedule exactly) and with the
 * state data-parallel replicas share; `loadEncoder()` reads the online encoder.
 *
 * Build one with {@linkcode byolNet}.
 */
export class BYOLNet extends CompositeModule {
  /** The online encoder and projector (keys at the top level and under `fc.`). */
  readonly online: HeadedNetwork<ResNetEncoder, MLPHead>;
  /** The online predictor (keys under `predictor.`). */
  readonly predictor: MLPHead;
  /** The target encoder and projector (keys under `target.`); not trained. */
  readonly target: HeadedNetwork<ResNetEncoder, MLPHead>;
  readonly #counter: UpdateCounter;
  readonly #parts: readonly Part[];

  /**
   * Builds the networks; the target starts as a copy of the online network (prefer
   * {@linkcode byolNet}).
   *
   * @param options Projection and hidden sizes, width, stem, zero-init, seed.
   */
  constructor(options: BYOLNetOptions = {}) {
    super();
    const fn = "byolNet()";
    const { hiddenDim = 256, projectorDim = 4096, seed = DEFAULT_SEED, ...body } = options;
    checkInteger(fn, "hiddenDim", hiddenDim, { min: 1 });
    checkInteger(fn, "projectorDim", projectorDim, { min: 1 });
    const build = () => {
      const encoder = new ResNetEncoder({ ...body, seed, block: "basic", layers: [2, 2, 2, 2] });
      const projector = new MLPHead([encoder.featureDim, projectorDim, hiddenDim], {
        batchNorm: true,
        seed: mixSeed(seed, 1),
      });
      return new HeadedNetwork(encoder, projector);
    };
    this.online = build();
    this.predictor = new MLPHead([hiddenDim, projectorDim, hiddenDim], {
      batchNorm: true,
      seed: mixSeed(seed, 2),
    });
    this.target = build();
    const state = this.online.stateDict();
    this.target.loadStateDict(state);
    tf.dispose([...state.values()]);
    this.#counter = new UpdateCounter();
    this.#parts = [
      { prefix: "", module: this.online },
      { prefix: "predictor.", module: this.predictor },
      { prefix: "target.", module: this.target, frozen: true },
      { prefix: "", module: this.#counter },
    ];
  }

  /** The online encoder: images to the features `h` that the probe uses. */
  get encoder(): ResNetEncoder {
    return this.online.encoder;
  }

  /**
   * The online predictions: encoder, projector, predictor.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, hiddenDim]` tensor.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor2D {
    return tf.tidy(() => this.predictor.apply(this.online.apply(x, options), options));
  }

  /**
   * The target network's projections (BatchNorm in training mode updates the target's running
   * statistics). No parameter of the model reaches them: no gradient flows from them.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, hiddenDim]` tensor.
   */
  targetProjections(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor2D {
    return this.target.apply(x, options);
  }

  /**
   * One step of the target's moving average, after an optimiser step: with `k` the updates so
   * far (the `target_updates` buffer) and `K = totalSteps`, `tau = 1 - (1 - baseMomentum) *
   * (cos(pi * min(k, K) / K) + 1) / 2`, and every target parameter becomes `tau * target +
   * (1 - tau) * online`; then `k` grows by one. Runs on the device (nothing is read back), so
   * replicas that run it stay identical.
   *
   * @param options The base decay rate (default 0.996) and the steps of the whole training.
   * @returns Nothing.
   */
  updateTarget(options: UpdateTargetOptions): void {
    const fn = "BYOLNet.updateTarget()";
    const { baseMomentum = 0.996, totalSteps } = options;
    checkNumber(fn, "options.baseMomentum", baseMomentum, { min: 0, max: 1 });
    checkInteger(fn, "options.totalSteps", totalSteps, { min: 1 });
    const online = this.online.parameters();
    const count = this.#counter.count;
    tf.tidy(() => {
      const k = tf.minimum(tf.cast(count, "float32"), totalSteps);
      const cosine = tf.cos(tf.mul(k, Math.PI / totalSteps));
      const rate = tf.mul(1 - baseMomentum, tf.div(tf.add(cosine, 1), 2)); // 1 - tau
      for (const [name, t] of this.target.parameters()) {
        t.assign(tf.add(t, tf.mul(rate, tf.sub(online.get(name)!, t))));
      }
      count.assign(tf.add(count, tf.scalar(1, "int32")));
    });
  }

  /**
   * The online network, the predictor, the frozen target (its variables are buffers) and the
   * update count.
   */
  protected get parts(): readonly Part[] {
    return this.#parts;
  }
}

/**
 * BYOL's online, predictor and target networks around a ResNet-18 (see {@linkcode BYOLNet}).
 *
 * @example A training step's outputs, then the target's moving average
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { byolNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = byolNet({ width: 2, hiddenDim: 4, projectorDim: 8, stem: "cifar" });
 * const x = tf.randomNormal([4, 8, 8, 3]) as tf.Tensor4D;
 * const p = net.apply(x, { training: true }); // online predictions
 * const z = net.targetProjections(x, { training: true }); // what they regress onto
 * assert.deepEqual([p.shape, z.shape], [[4, 4], [4, 4]]);
 * // The target is a buffer: not trained, but checkpointed.
 * assert.ok(!net.parameters().has("target.conv1.weight"));
 * assert.ok(net.buffers().has("target.conv1.weight") && net.buffers().has("target_updates"));
 * net.updateTarget({ baseMomentum: 0.996, totalSteps: 100 });
 * assert.equal((await net.buffers().get("target_updates")!.data())[0], 1);
 * tf.dispose([x, p, z]);
 * net.dispose();
 * ```
 *
 * @param options Projection size (default 256), hidden size (default 4096), width (default
 *   64), stem, zero-init, seed.
 * @returns The networks, with `.encoder` the online encoder.
 */
export function byolNet(options: BYOLNetOptions = {}): BYOLNet {
  return new BYOLNet(options);
}

import * as tf from "@tensorflow/tfjs-core";
import { BatchNorm2d, Conv2d, Linear, Registry, STATE, StateTable } from "./_layers.ts";
import type { LoadStateDictOptions, LoadStateDictResult, Module } from "./module.ts";
import { Random } from "./_random.ts";

/** Options of the ResNet builders ({@linkcode resnet18}, {@linkcode resnet34}, {@linkcode resnet50}). */
export interface ResNetOptions {
  /** Output size of the final `fc` layer (default 1000, as torchvision). */
  numClasses?: number;
  /** Base channel count: 64 in torchvision; small values (8, 16) make fast tests. */
  width?: number;
  /** `"imagenet"` (default): 7x7/2 conv and 3x3/2 max-pool; `"cifar"`: 3x3/1 conv, no pool. */
  stem?: "imagenet" | "cifar";
  /** Zero-initialise the last BatchNorm weight of each residual block (default false). */
  zeroInitResidual?: boolean;
  /** Seed of the initialisation: the same seed gives the same parameters (default 0). */
  seed?: number;
}

/** Internal: the full description of a ResNet. */
export interface ResNetConfig extends ResNetOptions {
  /** Residual block type. */
  block: "basic" | "bottleneck";
  /** Blocks per stage, e.g. `[2, 2, 2, 2]` for ResNet-18. */
  layers: [number, number, number, number];
  /**
   * Hidden sizes of an MLP head replacing `fc`: `[4 * h]` makes
   * `fc = Sequential(Linear(F, 4h), ReLU, Linear(4h, numClasses))` (keys `fc.0.*`, `fc.2.*`).
   */
  headHidden?: number[];
}

/** Output channels of a block relative to its planes (torchvision's `expansion`). */
const EXPANSION = { basic: 1, bottleneck: 4 } as const;

/** torchvision's `conv3x3`: 3x3 convolution with padding 1. */
function conv3x3(reg: Registry, name: string, inPlanes: number, outPlanes: number, stride = 1) {
  return new Conv2d(reg, name, inPlanes, outPlanes, 3, stride, 1);
}

/** torchvision's `conv1x1`: 1x1 convolution. */
function conv1x1(reg: Registry, name: string, inPlanes: number, outPlanes: number, stride = 1) {
  return new Conv2d(reg, name, inPlanes, outPlanes, 1, stride, 0);
}

/** The shortcut projection `downsample = Sequential(conv1x1, BatchNorm2d)`. */
class Downsample {
  readonly conv: Conv2d;
  readonly bn: BatchNorm2d;
  constructor(reg: Registry, name: string, inPlanes: number, outPlanes: number, stride: number) {
    this.conv = conv1x1(reg, `${name}.0`, inPlanes, outPlanes, stride);
    this.bn = new BatchNorm2d(reg, `${name}.1`, outPlanes);
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.bn.apply(this.conv.apply(x), training);
  }
}

interface Block {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D;
}

/** torchvision's `BasicBlock`: two 3x3 convolutions and a shortcut. */
class BasicBlock implements Block {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Downsample | null;
  constructor(
    reg: Registry,
    name: string,
    inPlanes: number,
    planes: number,
    stride: number,
    zeroInit: boolean,
  ) {
    this.conv1 = conv3x3(reg, `${name}.conv1`, inPlanes, planes, stride);
    this.bn1 = new BatchNorm2d(reg, `${name}.bn1`, planes);
    this.conv2 = conv3x3(reg, `${name}.conv2`, planes, planes);
    this.bn2 = new BatchNorm2d(reg, `${name}.bn2`, planes, zeroInit);
    this.downsample = stride !== 1 || inPlanes !== planes
      ? new Downsample(reg, `${name}.downsample`, inPlanes, planes, stride)
      : null;
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let out = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    out = this.bn2.apply(this.conv2.apply(out), training);
    const identity = this.downsample ? this.downsample.apply(x, training) : x;
    return tf.relu(tf.add(out, identity));
  }
}

/** torchvision's `Bottleneck` (ResNet V1.5: the stride sits on the 3x3 convolution). */
class Bottleneck implements Block {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Downsample | null;
  constructor(
    reg: Registry,
    name: string,
    inPlanes: number,
    planes: number,
    stride: number,
    zeroInit: boolean,
  ) {
    const out = planes * EXPANSION.bottleneck;
    this.conv1 = conv1x1(reg, `${name}.conv1`, inPlanes, planes);
    this.bn1 = new BatchNorm2d(reg, `${name}.bn1`, planes);
    this.conv2 = conv3x3(reg, `${name}.conv2`, planes, planes, stride);
    this.bn2 = new BatchNorm2d(reg, `${name}.bn2`, planes);
    this.conv3 = conv1x1(reg, `${name}.conv3`, planes, out);
    this.bn3 = new BatchNorm2d(reg, `${name}.bn3`, out, zeroInit);
    this.downsample = stride !== 1 || inPlanes !== out
      ? new Downsample(reg, `${name}.downsample`, inPlanes, out, stride)
      : null;
  }
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let out = tf.relu(this.bn1.apply(this.conv1.apply(x), training));
    out = tf.relu(this.bn2.apply(this.conv2.apply(out), training));
    out = this.bn3.apply(this.conv3.apply(out), training);
    const identity = this.downsample ? this.downsample.apply(x, training) : x;
    return tf.relu(tf.add(out, identity));
  }
}

/** torchvision's `_make_layer`: a stage of `blocks` blocks, the first one strided. */
function makeLayer(
  reg: Registry,
  name: string,
  kind: "basic" | "bottleneck",
  inPlanes: number,
  planes: number,
  blocks: number,
  stride: number,
  zeroInit: boolean,
): Block[] {
  const Kind = kind === "basic" ? BasicBlock : Bottleneck;
  const layer: Block[] = [new Kind(reg, `${name}.0`, inPlanes, planes, stride, zeroInit)];
  for (let i = 1; i < blocks; i++) {
    layer.push(new Kind(reg, `${name}.${i}`, planes * EXPANSION[kind], planes, 1, zeroInit));
  }
  return layer;
}

function checkPositiveInteger(fn: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${fn}: ${name} must be a positive integer, got ${value}`);
  }
}

/**
 * torchvision's ResNet on NHWC input: `conv1 -> bn1 -> relu -> maxpool -> layer1..4 -> avgpool
 * -> fc`, with torchvision's parameter names and initialisation (Kaiming normal fan-out for
 * convolutions, BatchNorm weight 1 and bias 0, PyTorch's default `Linear` init), seeded.
 * Build one with {@linkcode resnet18}, {@linkcode resnet34} or {@linkcode resnet50}.
 *
 * @example A custom depth
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ResNet, type ResNetConfig, type ResNetOptions } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const options: ResNetOptions = { width: 4, numClasses: 3, stem: "cifar" };
 * const config: ResNetConfig = { ...options, block: "basic", layers: [1, 1, 1, 1] };
 * const net = new ResNet(config); // a ResNet-10
 * const y = net.apply(tf.zeros([2, 8, 8, 3]), { training: true });
 * assert.deepStrictEqual(y.shape, [2, 3]);
 * assert.equal(net.buffers().get("bn1.num_batches_tracked")!.dataSync()[0], 1);
 * y.dispose();
 * net.dispose();
 * ```
 */
export class ResNet implements Module {
  /** Size of the pooled feature vector `h` (`8 * width * expansion`: 512 for ResNet-18). */
  readonly featureDim: number;
  /** Output size of the network. */
  readonly numClasses: number;
  /** Base channel count. */
  readonly width: number;
  /** The stem variant. */
  readonly stem: "imagenet" | "cifar";
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm2d;
  readonly #layers: Block[][];
  readonly #head: Linear[];

  /**
   * Builds a network from a full configuration (prefer the builder functions).
   *
   * @param config Block type, blocks per stage, head and the {@linkcode ResNetOptions}.
   */
  constructor(config: ResNetConfig) {
    const fn = "ResNet()";
    const {
      block,
      layers,
      numClasses = 1000,
      width = 64,
      stem = "imagenet",
      zeroInitResidual = false,
      seed = 0,
      headHidden = [],
    } = config;
    if (block !== "basic" && block !== "bottleneck") {
      throw new TypeError(
        `${fn}: block must be "basic" or "bottleneck", got ${JSON.stringify(block)}`,
      );
    }
    if (!Array.isArray(layers) || layers.length !== 4) {
      throw new RangeError(`${fn}: layers must list 4 block counts, got ${JSON.stringify(layers)}`);
    }
    for (const n of layers) checkPositiveInteger(fn, "a block count", n);
    checkPositiveInteger(fn, "numClasses", numClasses);
    checkPositiveInteger(fn, "width", width);
    if (stem !== "imagenet" && stem !== "cifar") {
      throw new TypeError(`${fn}: stem must be "imagenet" or "cifar", got ${JSON.stringify(stem)}`);
    }
    if (!Number.isFinite(seed)) throw new TypeError(`${fn}: seed must be a number, got ${seed}`);
    for (const h of headHidden) checkPositiveInteger(fn, "a head hidden size", h);
    const reg = new Registry(new Random(seed));
    this.numClasses = numClasses;
    this.width = width;
    this.stem = stem;
    this.#conv1 = stem === "imagenet"
      ? new Conv2d(reg, "conv1", 3, width, 7, 2, 3)
      : new Conv2d(reg, "conv1", 3, width, 3, 1, 1);
    this.#bn1 = new BatchNorm2d(reg, "bn1", width);
    let inPlanes = width;
    this.#layers = layers.map((blocks, i) => {
      const planes = width * 2 ** i;
      const layer = makeLayer(
        reg,
        `layer${i + 1}`,
        block,
        inPlanes,
        planes,
        blocks,
        i === 0 ? 1 : 2,
        zeroInitResidual,
      );
      inPlanes = planes * EXPANSION[block];
      return layer;
    });
    this.featureDim = inPlanes;
    const sizes = [inPlanes, ...headHidden, numClasses];
    this.#head = sizes.slice(1).map((out, i) =>
      new Linear(reg, headHidden.length ? `fc.${2 * i}` : "fc", sizes[i], out)
    );
    STATE.set(this, new StateTable(reg.entries));
  }

  /**
   * The pooled features `h` (`[N, featureDim]`), i.e. the network without `fc`.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, featureDim]` tensor.
   */
  features(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D {
    checkInput("ResNet.features()", x, options);
    const training = options.training;
    return tf.tidy(() => {
      let y = tf.relu(this.#bn1.apply(this.#conv1.apply(x), training));
      if (this.stem === "imagenet") y = tf.maxPool(y, 3, 2, 1);
      for (const layer of this.#layers) for (const b of layer) y = b.apply(y, training);
      return tf.mean(y, [1, 2]) as tf.Tensor2D; // [N, H, W, C] -> [N, C]
    });
  }

  /**
   * Runs the network.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, numClasses]` tensor.
   */
  apply(x: tf.Tensor4D, options: { training: boolean }): tf.Tensor2D {
    return tf.tidy(() => {
      let y = this.features(x, options);
      this.#head.forEach((linear, i) => {
        y = linear.apply(i > 0 ? tf.relu(y) : y);
      });
      return y;
    });
  }

  /**
   * Trainable parameters by torchvision name, in torchvision's order (our layout).
   *
   * @returns Names to variables (conv HWIO, linear `[in, out]`).
   */
  parameters(): Map<string, tf.Variable> {
    return STATE.get(this)!.parameters();
  }

  /**
   * BatchNorm running statistics (float32) and `num_batches_tracked` (int32).
   *
   * @returns Names to non-trainable variables.
   */
  buffers(): Map<string, tf.Variable> {
    return STATE.get(this)!.buffers();
  }

  /**
   * Parameters to exclude from weight decay: biases and BatchNorm weights.
   *
   * @returns A subset of the names of {@linkcode ResNet.parameters}.
   */
  noDecayNames(): Set<string> {
    return STATE.get(this)!.noDecayNames();
  }

  /**
   * Every parameter and buffer in PyTorch layout (conv OIHW, linear `[out, in]`).
   *
   * @returns New tensors by torchvision key; the caller disposes them.
   */
  stateDict(): Map<string, tf.Tensor> {
    return STATE.get(this)!.stateDict();
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
    return STATE.get(this)!.loadStateDict(stateDict, options);
  }

  /** Disposes every variable (idempotent). */
  dispose(): void {
    STATE.get(this)!.dispose();
  }
}

function checkInput(fn: string, x: tf.Tensor, options: { training: boolean }): void {
  if (typeof options?.training !== "boolean") {
    throw new TypeError(`${fn}: options.training must be a boolean, got ${options?.training}`);
  }
  if (x.rank !== 4 || x.shape[3] !== 3) {
    throw new RangeError(`${fn}: x must be NHWC images [N, H, W, 3], got shape [${x.shape}]`);
  }
}

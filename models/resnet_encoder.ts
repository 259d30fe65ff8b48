// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED } from "@simclr/internal/random";
import { LeafModule } from "./leaf_module.ts";
import type { ApplyOptions } from "./module.ts";
import { BatchNorm2d, Conv2d, relu } from "./_layers.ts";
import { Registry } from "./_state.ts";

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
  /** Seed of the initialisation: the same seed gives the same parameters (default 42). */
  seed?: number;
}

/** The full description of a ResNet body: its blocks, width, stem and initialisation. */
export interface ResNetEncoderConfig extends Omit<ResNetOptions, "numClasses"> {
  /** Residual block type. */
  block: "basic" | "bottleneck";
  /** Blocks per stage, e.g. `[2, 2, 2, 2]` for ResNet-18. */
  layers: readonly [number, number, number, number];
}

/** Output channels of a block relative to its planes (torchvision's `expansion`). */
const EXPANSION = { basic: 1, bottleneck: 4 } as const;

/** torchvision's `conv3x3`: 3x3 convolution with padding 1. */
function conv3x3(
  reg: Registry,
  name: string,
  inPlanes: number,
  outPlanes: number,
  stride = 1,
): Conv2d {
  return new Conv2d(reg, name, inPlanes, outPlanes, 3, stride, 1);
}

/** torchvision's `conv1x1`: 1x1 convolution. */
function conv1x1(
  reg: Registry,
  name: string,
  inPlanes: number,
  outPlanes: number,
  stride = 1,
): Conv2d {
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
    let out = this.bn1.applyRelu(this.conv1.apply(x), training);
    out = this.bn2.apply(this.conv2.apply(out), training);
    const identity = this.downsample ? this.downsample.apply(x, training) : x;
    return relu(tf.add(out, identity));
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
    let out = this.bn1.applyRelu(this.conv1.apply(x), training);
    out = this.bn2.applyRelu(this.conv2.apply(out), training);
    out = this.bn3.apply(this.conv3.apply(out), training);
    const identity = this.downsample ? this.downsample.apply(x, training) : x;
    return relu(tf.add(out, identity));
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

/**
 * torchvision's ResNet without its `fc` layer, on NHWC input: `conv1 -> bn1 -> relu -> maxpool
 * -> layer1..4 -> avgpool`, giving the pooled features `h` (`[N, featureDim]`). Parameter names
 * and initialisation are torchvision's (Kaiming normal fan-out for convolutions, BatchNorm
 * weight 1 and bias 0), seeded. It knows nothing of heads: {@linkcode ResNet} adds `fc`,
 * {@linkcode SimCLRNet} a projection head.
 *
 * @example A ResNet-10 body
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { ResNetEncoder } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const encoder = new ResNetEncoder({ block: "basic", layers: [1, 1, 1, 1], width: 4, stem: "cifar" });
 * const h = encoder.apply(tf.zeros([2, 8, 8, 3]), { training: true });
 * assert.deepEqual(h.shape, [2, encoder.featureDim]); // featureDim = 8 * width = 32
 * assert.equal(encoder.buffers().get("bn1.num_batches_tracked")!.dataSync()[0], 1);
 * h.dispose();
 * encoder.dispose();
 * ```
 */
export class ResNetEncoder extends LeafModule<tf.Tensor4D, tf.Tensor2D> {
  /** Size of the pooled features `h` (`8 * width * expansion`: 512 for ResNet-18). */
  readonly featureDim: number;
  /** Base channel count. */
  readonly width: number;
  /** The stem variant. */
  readonly stem: "imagenet" | "cifar";
  /** Residual block type. */
  readonly block: "basic" | "bottleneck";
  /** Blocks per stage. */
  readonly layers: readonly [number, number, number, number];
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm2d;
  readonly #stages: Block[][];

  /**
   * Builds the body.
   *
   * @param config Block type, blocks per stage, width, stem, zero-init and seed.
   */
  constructor(config: ResNetEncoderConfig) {
    const fn = "ResNetEncoder()";
    const {
      block,
      layers,
      width = 64,
      stem = "imagenet",
      zeroInitResidual = false,
      seed = DEFAULT_SEED,
    } = config;
    if (block !== "basic" && block !== "bottleneck") {
      throw new TypeError(
        argumentMessage(fn, `block is ${show(block)}`, '"basic" or "bottleneck"'),
      );
    }
    if (!Array.isArray(layers) || layers.length !== 4) {
      throw new RangeError(argumentMessage(fn, `layers is ${show(layers)}`, "4 block counts"));
    }
    layers.forEach((n, i) => checkInteger(fn, `layers[${i}]`, n, { min: 1 }));
    checkInteger(fn, "width", width, { min: 1 });
    if (stem !== "imagenet" && stem !== "cifar") {
      throw new TypeError(argumentMessage(fn, `stem is ${show(stem)}`, '"imagenet" or "cifar"'));
    }
    checkInteger(fn, "seed", seed);
    const reg = new Registry(createRng(seed));
    const conv1 = stem === "imagenet"
      ? new Conv2d(reg, "conv1", 3, width, 7, 2, 3)
      : new Conv2d(reg, "conv1", 3, width, 3, 1, 1);
    const bn1 = new BatchNorm2d(reg, "bn1", width);
    let inPlanes = width;
    const stages = layers.map((blocks, i) => {
      const planes = width * 2 ** i;
      const stage = makeLayer(
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
      return stage;
    });
    super(reg.entries);
    this.featureDim = inPlanes;
    this.width = width;
    this.stem = stem;
    this.block = block;
    this.layers = [...layers] as [number, number, number, number];
    this.#conv1 = conv1;
    this.#bn1 = bn1;
    this.#stages = stages;
  }

  /**
   * The pooled features `h`.
   *
   * @param x NHWC float32 images `[N, H, W, 3]`.
   * @param options `training` selects batch or running BatchNorm statistics.
   * @returns A new `[N, featureDim]` tensor.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor2D {
    const fn = "ResNetEncoder.apply()";
    if (typeof options?.training !== "boolean") {
      throw new TypeError(
        argumentMessage(fn, `options.training is ${show(options?.training)}`, "a boolean"),
      );
    }
    if (!(x instanceof tf.Tensor) || x.rank !== 4 || x.shape[3] !== 3) {
      throw new RangeError(
        argumentMessage(fn, `x has shape ${show(x?.shape)}`, "NHWC images [N, H, W, 3]"),
      );
    }
    const training = options.training;
    return tf.tidy(() => {
      let y = this.#bn1.applyRelu(this.#conv1.apply(x), training);
      if (this.stem === "imagenet") y = tf.maxPool(y, 3, 2, 1);
      for (const stage of this.#stages) for (const b of stage) y = b.apply(y, training);
      return tf.mean(y, [1, 2]) as tf.Tensor2D; // [N, H, W, C] -> [N, C]
    });
  }
}

// Internal building blocks: Conv2d, BatchNorm2d, Linear over plain tfjs-core ops, and the
// parameter/buffer registry shared by every network of this package.
import * as tf from "@tensorflow/tfjs-core";
import type { LoadStateDictOptions, LoadStateDictResult } from "./module.ts";
import type { Random } from "./_random.ts";

/** How a variable's PyTorch layout relates to ours. */
export type Layout = "conv" | "linear" | "plain";

/** One named variable of a network. */
export interface StateEntry {
  name: string;
  variable: tf.Variable;
  layout: Layout;
  trainable: boolean;
  noDecay: boolean;
}

/** PyTorch-layout shape of an entry. */
function torchShape(entry: StateEntry): number[] {
  const s = entry.variable.shape as number[];
  if (entry.layout === "conv") return [s[3], s[2], s[0], s[1]]; // HWIO -> OIHW
  if (entry.layout === "linear") return [s[1], s[0]]; // [in, out] -> [out, in]
  return [...s];
}

/** Our layout from PyTorch layout (a new tensor). */
function fromTorch(entry: StateEntry, t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const cast = t.dtype === entry.variable.dtype ? t.clone() : tf.cast(t, entry.variable.dtype);
    if (entry.layout === "conv") return tf.transpose(cast, [2, 3, 1, 0]); // OIHW -> HWIO
    if (entry.layout === "linear") return tf.transpose(cast, [1, 0]); // [out, in] -> [in, out]
    return cast;
  });
}

/** PyTorch layout from ours (a new tensor). */
function toTorch(entry: StateEntry): tf.Tensor {
  return tf.tidy(() => {
    const v = entry.variable;
    if (entry.layout === "conv") return tf.transpose(v, [3, 2, 0, 1]); // HWIO -> OIHW
    if (entry.layout === "linear") return tf.transpose(v, [1, 0]); // [in, out] -> [out, in]
    return v.clone();
  });
}

const shapeText = (s: readonly number[]): string => `[${s.join(", ")}]`;

/** Parameter/buffer bookkeeping of {@linkcode Module}, over a list of entries. */
export class StateTable {
  /** Entries in torchvision's `state_dict()` order. */
  readonly entries: readonly StateEntry[];
  constructor(entries: readonly StateEntry[]) {
    this.entries = entries;
  }

  /** A table over the entries that `keep` selects (sharing the variables). */
  subset(keep: (name: string) => boolean): StateTable {
    return new StateTable(this.entries.filter((e) => keep(e.name)));
  }

  parameters(): Map<string, tf.Variable> {
    return new Map(this.entries.filter((e) => e.trainable).map((e) => [e.name, e.variable]));
  }

  buffers(): Map<string, tf.Variable> {
    return new Map(this.entries.filter((e) => !e.trainable).map((e) => [e.name, e.variable]));
  }

  noDecayNames(): Set<string> {
    return new Set(this.entries.filter((e) => e.trainable && e.noDecay).map((e) => e.name));
  }

  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.entries.map((e) => [e.name, toTorch(e)]));
  }

  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options: LoadStateDictOptions = {},
  ): LoadStateDictResult {
    const { prefix = "", strict = true } = options;
    const given = new Map<string, tf.Tensor>();
    for (const [key, value] of stateDict) {
      if (key.startsWith(prefix)) given.set(key.slice(prefix.length), value);
    }
    const missing: string[] = [];
    const mismatched: string[] = [];
    const ok: [StateEntry, tf.Tensor][] = [];
    const known = new Set<string>();
    for (const entry of this.entries) {
      known.add(entry.name);
      const t = given.get(entry.name);
      if (t === undefined) {
        missing.push(entry.name);
        continue;
      }
      const want = torchShape(entry);
      if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
        mismatched.push(`${entry.name}: got ${shapeText(t.shape)}, expected ${shapeText(want)}`);
        continue;
      }
      ok.push([entry, t]);
    }
    const unexpected = [...given.keys()].filter((k) => !known.has(k));
    if (strict && missing.length + unexpected.length + mismatched.length > 0) {
      const parts = [];
      if (missing.length) parts.push(`missing keys: ${missing.join(", ")}`);
      if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(", ")}`);
      if (mismatched.length) parts.push(`mis-shaped keys: ${mismatched.join("; ")}`);
      throw new Error(
        `loadStateDict(): the state dict (prefix "${prefix}") does not match the module: ` +
          `${parts.join("; ")}`,
      );
    }
    for (const [entry, t] of ok) {
      const value = fromTorch(entry, t);
      entry.variable.assign(value);
      value.dispose();
    }
    return { missing, unexpected, mismatched };
  }

  dispose(): void {
    for (const e of this.entries) if (!e.variable.isDisposed) e.variable.dispose();
  }
}

/** The state table of each network (shared between the files of this package). */
export const STATE: WeakMap<object, StateTable> = new WeakMap();

/** Creates variables in construction order from one seeded generator. */
export class Registry {
  readonly entries: StateEntry[] = [];
  constructor(readonly rng: Random) {}

  add(
    name: string,
    values: tf.Tensor,
    layout: Layout,
    trainable: boolean,
    noDecay: boolean,
  ): tf.Variable {
    const variable = tf.variable(values, trainable);
    values.dispose();
    this.entries.push({ name, variable, layout, trainable, noDecay });
    return variable;
  }
}

/** A bias-free 2D convolution, `padding` on every side as PyTorch. Weight HWIO. */
export class Conv2d {
  readonly weight: tf.Variable;
  constructor(
    reg: Registry,
    name: string,
    inChannels: number,
    outChannels: number,
    kernelSize: number,
    readonly stride: number,
    readonly padding: number,
  ) {
    // torchvision: kaiming_normal_(mode="fan_out", nonlinearity="relu")
    const fanOut = outChannels * kernelSize * kernelSize;
    const n = kernelSize * kernelSize * inChannels * outChannels;
    const values = reg.rng.normalArray(n, Math.sqrt(2 / fanOut));
    this.weight = reg.add(
      `${name}.weight`,
      tf.tensor4d(values, [kernelSize, kernelSize, inChannels, outChannels]),
      "conv",
      true,
      false,
    );
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.conv2d(x, this.weight as tf.Tensor4D, this.stride, this.padding);
  }
}

/** BatchNorm over the channel axis of NHWC input, with PyTorch's training semantics. */
export class BatchNorm2d {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly numBatchesTracked: tf.Variable;
  readonly eps = 1e-5;
  readonly momentum = 0.1;

  constructor(reg: Registry, name: string, channels: number, zeroInit = false) {
    this.weight = reg.add(
      `${name}.weight`,
      zeroInit ? tf.zeros([channels]) : tf.ones([channels]),
      "plain",
      true,
      true,
    );
    this.bias = reg.add(`${name}.bias`, tf.zeros([channels]), "plain", true, true);
    this.runningMean = reg.add(`${name}.running_mean`, tf.zeros([channels]), "plain", false, false);
    this.runningVar = reg.add(`${name}.running_var`, tf.ones([channels]), "plain", false, false);
    this.numBatchesTracked = reg.add(
      `${name}.num_batches_tracked`,
      tf.scalar(0, "int32"),
      "plain",
      false,
      false,
    );
  }

  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    let mean: tf.Tensor1D;
    let variance: tf.Tensor1D;
    if (training) {
      const moments = tf.moments(x, [0, 1, 2]); // biased variance, [C] each
      mean = moments.mean as tf.Tensor1D;
      variance = moments.variance as tf.Tensor1D;
      const n = x.shape[0] * x.shape[1] * x.shape[2];
      if (n < 2) {
        throw new RangeError(
          `BatchNorm: training mode needs more than 1 value per channel, got input shape ` +
            `[${x.shape}] (as PyTorch)`,
        );
      }
      const m = this.momentum;
      tf.tidy(() => {
        this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
        const unbiased = tf.mul(variance, n / (n - 1)); // Bessel's correction
        this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
        this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, "int32")));
      });
    } else {
      mean = this.runningMean as tf.Tensor1D;
      variance = this.runningVar as tf.Tensor1D;
    }
    // y = x * scale + shift with scale = w / sqrt(var + eps), shift = b - mean * scale
    const scale = tf.mul(this.weight, tf.rsqrt(tf.add(variance, this.eps)));
    const shift = tf.sub(this.bias, tf.mul(mean, scale));
    return tf.add(tf.mul(x, scale), shift);
  }
}

/** A fully connected layer with PyTorch's default init. Weight `[in, out]`. */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable;
  constructor(reg: Registry, name: string, inFeatures: number, outFeatures: number) {
    // nn.Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) -> U(+-1/sqrt(fan_in)), bias too
    const bound = 1 / Math.sqrt(inFeatures);
    const w = reg.rng.uniformArray(inFeatures * outFeatures, bound);
    const b = reg.rng.uniformArray(outFeatures, bound);
    this.weight = reg.add(
      `${name}.weight`,
      tf.tensor2d(w, [inFeatures, outFeatures]),
      "linear",
      true,
      false,
    );
    this.bias = reg.add(`${name}.bias`, tf.tensor1d(b), "plain", true, true);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.weight as tf.Tensor2D), this.bias);
  }
}

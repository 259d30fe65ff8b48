// Copyright 2026 the simclr authors. MIT license.
// Internal: the named variables of a module and the PyTorch-layout view of them, shared by the
// modules that own variables (LeafModule) and those made of other modules (HeadedNetwork).
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage } from "@simclr/internal/checks";
import type { Rng } from "@simclr/internal/random";
import type { LoadStateDictOptions, LoadStateDictResult } from "./module.ts";

/** How a variable's PyTorch layout relates to ours. */
export type Layout = "conv" | "linear" | "plain";

/** One named variable of a module. */
export interface StateEntry {
  /** torchvision's key, e.g. `"layer1.0.conv1.weight"`. */
  name: string;
  /** The variable, in our layout (conv HWIO, linear `[in, out]`). */
  variable: tf.Variable;
  /** How PyTorch lays it out. */
  layout: Layout;
  /** A parameter (`true`) or a buffer (`false`). */
  trainable: boolean;
  /** Excluded from weight decay (biases, norm weights). */
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

/** What {@linkcode matchStateDict} found: the keys that fit, and the problems. */
export interface StateDictMatch extends LoadStateDictResult {
  /** Keys (prefix stripped) whose tensors fit, with those tensors. */
  matched: Map<string, tf.Tensor>;
}

/**
 * Matches a state dict against a module's keys and PyTorch-layout shapes. With `strict`, any
 * problem throws an `Error` listing them all (so nothing gets loaded).
 */
export function matchStateDict(
  shapes: Map<string, number[]>,
  stateDict: Map<string, tf.Tensor>,
  options: LoadStateDictOptions = {},
): StateDictMatch {
  const { prefix = "", strict = true } = options;
  const given = new Map<string, tf.Tensor>();
  for (const [key, value] of stateDict) {
    if (key.startsWith(prefix)) given.set(key.slice(prefix.length), value);
  }
  const matched = new Map<string, tf.Tensor>();
  const missing: string[] = [];
  const mismatched: string[] = [];
  for (const [name, want] of shapes) {
    const t = given.get(name);
    if (t === undefined) {
      missing.push(name);
    } else if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i])) {
      mismatched.push(`${name}: got ${shapeText(t.shape)}, expected ${shapeText(want)}`);
    } else {
      matched.set(name, t);
    }
  }
  const unexpected = [...given.keys()].filter((k) => !shapes.has(k));
  if (strict && missing.length + unexpected.length + mismatched.length > 0) {
    const parts = [];
    if (missing.length) parts.push(`missing keys: ${missing.join(", ")}`);
    if (unexpected.length) parts.push(`unexpected keys: ${unexpected.join(", ")}`);
    if (mismatched.length) parts.push(`mis-shaped keys: ${mismatched.join("; ")}`);
    const under = prefix === "" ? "" : ` under prefix "${prefix}"`;
    throw new Error(
      argumentMessage(
        "loadStateDict()",
        `stateDict${under} has ${parts.join("; ")}`,
        "the module's keys and shapes",
      ),
    );
  }
  return { matched, missing, unexpected, mismatched };
}

/** The bookkeeping of a module that owns variables, over its list of entries. */
export class StateTable {
  /** Entries in torchvision's `state_dict()` order. */
  readonly entries: readonly StateEntry[];
  constructor(entries: readonly StateEntry[]) {
    this.entries = entries;
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

  stateShapes(): Map<string, number[]> {
    return new Map(this.entries.map((e) => [e.name, torchShape(e)]));
  }

  stateDict(): Map<string, tf.Tensor> {
    return new Map(this.entries.map((e) => [e.name, toTorch(e)]));
  }

  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult {
    const { matched, ...result } = matchStateDict(this.stateShapes(), stateDict, options);
    for (const entry of this.entries) {
      const t = matched.get(entry.name);
      if (t === undefined) continue;
      const value = fromTorch(entry, t);
      entry.variable.assign(value);
      value.dispose();
    }
    return result;
  }

  dispose(): void {
    for (const e of this.entries) if (!e.variable.isDisposed) e.variable.dispose();
  }
}

/** Creates a module's variables in construction order, initialised from one seeded generator. */
export class Registry {
  readonly entries: StateEntry[] = [];
  constructor(readonly rng: Rng) {}

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

  /** `n` samples of N(0, std^2). */
  normal(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.normal() * std;
    return out;
  }

  /** `n` samples of U(-bound, bound). */
  uniform(n: number, bound: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.rng.uniform(-bound, bound);
    return out;
  }
}

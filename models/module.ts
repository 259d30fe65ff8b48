// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";

/** Options of {@linkcode Module.apply}. */
export interface ApplyOptions {
  /**
   * `true`: BatchNorm normalises with the batch statistics and updates its running statistics
   * in place (PyTorch semantics); `false`: BatchNorm uses the running statistics.
   */
  training: boolean;
}

/** Options of {@linkcode Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * Only keys that start with this prefix are considered, and the prefix is stripped from them
   * (e.g. `"convnet."` for the tutorial's Lightning checkpoints). Default: `""` (all keys).
   */
  prefix?: string;
  /**
   * `true` (default): a missing, unexpected or mis-shaped key throws an `Error` listing them all,
   * and nothing is loaded. `false`: every matching key is loaded and the others are reported.
   */
  strict?: boolean;
}

/** What {@linkcode Module.loadStateDict} could not match. */
export interface LoadStateDictResult {
  /** Keys of the module that the state dict lacks. */
  missing: string[];
  /** Keys of the state dict (prefix stripped) that the module lacks. */
  unexpected: string[];
  /** `"key: got [..], expected [..]"` for keys whose shape differs. */
  mismatched: string[];
}

/**
 * A network with named parameters and buffers, in the spirit of `torch.nn.Module`.
 *
 * Images are NHWC float32. Parameters live in `tf.Variable`s in TensorFlow layout (conv HWIO,
 * linear `[in, out]`); {@linkcode Module.stateDict} and {@linkcode Module.loadStateDict} speak
 * PyTorch layout (conv OIHW, linear `[out, in]`) with torchvision's key names.
 *
 * Networks are composed of modules: an encoder (images to features, `Module<Tensor4D,
 * Tensor2D>`) and a head (features to outputs, `Module<Tensor2D, Tensor2D>`) make a
 * {@linkcode HeadedNetwork}. Every module owns its variables: disposing one frees its own
 * variables and no one else's.
 *
 * The modules use plain `tf.conv2d`, `tf.matMul` and element-wise ops, so they run on any tfjs
 * backend; training needs each op's gradient on the backend in use, which `wasm` lacks for
 * convolutions until `@simclr/backends` registers them (`selectBackend("wasm")` does).
 */
export interface Module<
  Input extends tf.Tensor = tf.Tensor4D,
  Output extends tf.Tensor = tf.Tensor2D,
> {
  /**
   * Runs the module. Pure with respect to the parameters (works inside `tf.variableGrads` and
   * `optimizer.minimize`); in training mode BatchNorm updates its running statistics
   * (momentum 0.1, unbiased variance, `num_batches_tracked += 1`). Leaks no tensors.
   */
  apply(x: Input, options: ApplyOptions): Output;
  /** Trainable parameters by torchvision name, in torchvision's order (our layout). */
  parameters(): Map<string, tf.Variable>;
  /** Non-trainable state: `running_mean`, `running_var` (float32), `num_batches_tracked` (int32). */
  buffers(): Map<string, tf.Variable>;
  /** Names of parameters to exclude from weight decay: biases and norm weights. */
  noDecayNames(): Set<string>;
  /** Every key of {@linkcode Module.stateDict} with its PyTorch-layout shape (no tensors made). */
  stateShapes(): Map<string, number[]>;
  /** Every parameter and buffer in PyTorch layout; new tensors that the caller disposes. */
  stateDict(): Map<string, tf.Tensor>;
  /** Loads PyTorch-layout tensors (converted, copied: the inputs stay the caller's). */
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult;
  /** Disposes the module's own variables (idempotent). */
  dispose(): void;
}

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
 */
export interface Module {
  /**
   * Runs the network. Pure with respect to the parameters (works inside `tf.variableGrads` and
   * `optimizer.minimize`); in training mode it updates the BatchNorm running statistics
   * (momentum 0.1, unbiased variance, `num_batches_tracked += 1`). Leaks no tensors.
   */
  apply(x: tf.Tensor4D, options: ApplyOptions): tf.Tensor2D;
  /** Trainable parameters by torchvision name, in torchvision's order (our layout). */
  parameters(): Map<string, tf.Variable>;
  /** Non-trainable state: `running_mean`, `running_var` (float32), `num_batches_tracked` (int32). */
  buffers(): Map<string, tf.Variable>;
  /** Names of parameters to exclude from weight decay: biases and norm weights. */
  noDecayNames(): Set<string>;
  /** Every parameter and buffer in PyTorch layout; new tensors that the caller disposes. */
  stateDict(): Map<string, tf.Tensor>;
  /** Loads PyTorch-layout tensors (converted, copied: the inputs stay the caller's). */
  loadStateDict(
    stateDict: Map<string, tf.Tensor>,
    options?: LoadStateDictOptions,
  ): LoadStateDictResult;
  /** Disposes every variable. */
  dispose(): void;
}

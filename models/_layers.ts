// Copyright 2026 the simclr authors. MIT license.
// Internal building blocks: Conv2d, BatchNorm2d, BatchNorm1d, Linear over plain tfjs-core ops (no fused
// ops, so the gradients registered by @simclr/backends apply), registering their variables in
// a Registry.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import type { Registry } from "./_state.ts";
import { currentReplicaSum, type ReplicaSum } from "./_replica_sum.ts";

/** Kernel names of training-mode BatchNorm and its gradient on backends that have them. */
const NATIVE_TRAIN = "SimCLRBatchNormTrain";
const NATIVE_GRAD = "SimCLRBatchNormGrad";
/** Kernel name of ReLU's gradient from its output, on backends that have it. */
const NATIVE_RELU_GRAD = "SimCLRReluGrad";

/**
 * `tf.relu`. Where the backend has a kernel for ReLU's gradient from its output (the native CPU
 * backend, `@simclr/backends`), the gradient is that one kernel and the tape keeps the output
 * (which the next layer keeps anyway) instead of the input; elsewhere it is `tf.relu` itself,
 * whose gradient is `dy * cast(step(x))`. The values are the same either way.
 */
export function relu<T extends tf.Tensor>(x: T): T {
  if (tf.getKernel(NATIVE_RELU_GRAD, tf.getBackend()) === undefined) return tf.relu(x);
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const y = tf.relu(args[0] as tf.Tensor);
    const save = args[1] as tf.GradSaveFunc;
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, [saved]: tf.Tensor[]) =>
        tf.engine().runKernel(NATIVE_RELU_GRAD, { dy, y: saved }) as tf.Tensor,
    };
  });
  return f(x) as T;
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
    const values = reg.normal(n, Math.sqrt(2 / fanOut));
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

/**
 * BatchNorm over the last (channel) axis, with PyTorch's training semantics: statistics over
 * every other axis. {@linkcode BatchNorm2d} (NHWC) and {@linkcode BatchNorm1d} (`[N, C]`) name it.
 */
abstract class BatchNorm {
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

  /** BatchNorm of `x`, then {@linkcode relu} where `withRelu` (fused where the backend can). */
  protected normalise<T extends tf.Tensor>(
    x: T,
    training: boolean,
    kind: string,
    withRelu = false,
  ): T {
    if (training) return this.#train(x, kind, withRelu);
    // y = x * scale + shift with scale = w / sqrt(var + eps), shift = b - mean * scale
    return tf.tidy(() => {
      const scale = tf.mul(this.weight, tf.rsqrt(tf.add(this.runningVar, this.eps)));
      const shift = tf.sub(this.bias, tf.mul(this.runningMean, scale));
      const y = tf.add(tf.mul(x, scale), shift) as T;
      return withRelu ? relu(y) : y;
    });
  }

  /**
   * Training mode as one taped operation with its gradient in closed form: the tape keeps only
   * the input and the per-channel mean and 1/std, not the five full-size intermediates that
   * composing `moments`, `mul` and `add` would keep (most of a step's memory).
   */
  #train<T extends tf.Tensor>(x: T, kind: string, withRelu: boolean): T {
    const axes = x.shape.slice(0, -1).map((_, i) => i); // every axis but the channels
    const n = axes.reduce((product, axis) => product * x.shape[axis], 1); // values per channel
    if (n < 2) {
      throw new RangeError(
        argumentMessage(
          `${kind}.apply()`,
          `x has shape ${show(x.shape)}`,
          "more than 1 value per channel in training mode (as PyTorch)",
        ),
      );
    }
    const replicaSum = currentReplicaSum(); // captured: the backward pass runs after the scope
    if (replicaSum === null && tf.getKernel(NATIVE_TRAIN, tf.getBackend()) !== undefined) {
      return this.#trainByKernels(x, n, withRelu);
    }
    const batchNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [v, weight, bias] = args as tf.Tensor[];
      const save = args[3] as tf.GradSaveFunc;
      let mean: tf.Tensor, variance: tf.Tensor, centred: tf.Tensor, total = n;
      if (replicaSum === null) {
        mean = tf.mean(v, axes); // [C]
        centred = tf.sub(v, mean);
        variance = tf.mean(tf.square(centred), axes); // biased, as PyTorch normalises
      } else {
        ({ mean, variance, total } = batchMoments(v, axes, n, replicaSum));
        centred = tf.sub(v, mean);
      }
      const invStd = tf.rsqrt(tf.add(variance, this.eps));
      this.#updateRunningStats(mean, variance, total);
      save([v, mean, invStd, weight]);
      return {
        value: tf.add(tf.mul(centred, tf.mul(weight, invStd)), bias),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const [xs, mu, inv, w] = saved;
            const normalised = tf.mul(tf.sub(xs, mu), inv); // x-hat
            // The parameters' gradients are this replica's share (replicas' gradients are
            // summed later); the input's needs the whole batch's sums.
            const dBias = tf.sum(dy, axes);
            const dWeight = tf.sum(tf.mul(dy, normalised), axes);
            const [sumDy, sumDyXhat] = replicaSum === null ? [dBias, dWeight] : tf.split(
              tf.tensor1d(
                Float32Array.from(
                  replicaSum(Float64Array.from(tf.concat([dBias, dWeight]).dataSync())),
                ),
              ),
              2,
            );
            // dx = w / std * (dy - mean(dy) - x-hat * mean(dy * x-hat))
            const inner = tf.sub(
              tf.sub(dy, tf.div(sumDy, total)),
              tf.mul(normalised, tf.div(sumDyXhat, total)),
            );
            return [tf.mul(inner, tf.mul(w, inv)), dWeight, dBias];
          }),
      };
    });
    const y = batchNorm(x, this.weight, this.bias) as T;
    return withRelu ? relu(y) : y;
  }

  /**
   * Training mode by the backend's own BatchNorm kernels (the native CPU backend registers
   * them, `@simclr/backends`): the same taped operation, statistics and gradient as
   * {@linkcode BatchNorm.#train}, in one kernel each way.
   */
  #trainByKernels<T extends tf.Tensor>(x: T, n: number, withRelu: boolean): T {
    const attrs = { epsilon: this.eps, relu: withRelu };
    const batchNorm = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [v, weight, bias] = args as tf.Tensor[];
      const save = args[3] as tf.GradSaveFunc;
      // with ReLU fused, a fourth output: the mask of y > 0 that the gradient takes
      const [y, mean, variance, ...mask] = tf.engine().runKernel(
        NATIVE_TRAIN,
        { x: v, weight, bias },
        attrs,
      ) as tf.Tensor[];
      this.#updateRunningStats(mean, variance, n);
      save([v, mean, variance, weight, ...mask]);
      return {
        value: y,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, mu, sigma2, w, workspace] = saved;
          const inputs = { dy, x: xs, mean: mu, variance: sigma2, weight: w };
          return tf.engine().runKernel(
            NATIVE_GRAD,
            withRelu ? { ...inputs, workspace } : inputs,
            attrs,
          ) as tf.Tensor[];
        },
      };
    });
    return batchNorm(x, this.weight, this.bias) as T;
  }

  /** PyTorch's update: momentum 0.1, the unbiased batch variance, one more batch tracked. */
  #updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, n: number): void {
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - m), tf.mul(mean, m)));
      const unbiased = tf.mul(variance, n / (n - 1)); // Bessel's correction
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - m), tf.mul(unbiased, m)));
      this.numBatchesTracked.assign(tf.add(this.numBatchesTracked, tf.scalar(1, "int32")));
    });
  }
}

/** BatchNorm over the channel axis of NHWC input, with PyTorch's training semantics. */
export class BatchNorm2d extends BatchNorm {
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.normalise(x, training, "BatchNorm2d");
  }

  /**
   * `relu(apply(x, training))`, the same values; in training mode on a backend with the
   * BatchNorm kernels, one kernel each way (oneDNN's BatchNorm with ReLU fused).
   */
  applyRelu(x: tf.Tensor4D, training: boolean): tf.Tensor4D {
    return this.normalise(x, training, "BatchNorm2d", true);
  }
}

/** BatchNorm over the features of `[N, C]` input, PyTorch's `BatchNorm1d` (training semantics). */
export class BatchNorm1d extends BatchNorm {
  apply(x: tf.Tensor2D, training: boolean): tf.Tensor2D {
    return this.normalise(x, training, "BatchNorm1d");
  }
}

/**
 * A fully connected layer with PyTorch's default init. Weight `[in, out]`; `name` "" gives the
 * keys `weight`, `bias`; `bias: false` is `nn.Linear(..., bias=False)`.
 */
export class Linear {
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  constructor(
    reg: Registry,
    name: string,
    inFeatures: number,
    outFeatures: number,
    bias = true,
  ) {
    // nn.Linear.reset_parameters: kaiming_uniform_(a=sqrt(5)) -> U(+-1/sqrt(fan_in)), bias too
    const bound = 1 / Math.sqrt(inFeatures);
    const w = reg.uniform(inFeatures * outFeatures, bound);
    const b = bias ? reg.uniform(outFeatures, bound) : null;
    this.weight = reg.add(
      name ? `${name}.weight` : "weight",
      tf.tensor2d(w, [inFeatures, outFeatures]),
      "linear",
      true,
      false,
    );
    this.bias = b === null
      ? null
      : reg.add(name ? `${name}.bias` : "bias", tf.tensor1d(b), "plain", true, true);
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    const y = tf.matMul(x, this.weight as tf.Tensor2D) as tf.Tensor2D;
    return this.bias === null ? y : tf.add(y, this.bias as tf.Tensor1D) as tf.Tensor2D;
  }
}

/**
 * The per-channel mean and biased variance of the whole batch across replicas, with one sum of
 * each replica's count, sums, and squares about its own mean plus count * mean^2. The sum is in
 * float64, so the variance, taken as a difference of such totals, keeps its float32 digits.
 */
function batchMoments(
  x: tf.Tensor,
  axes: number[],
  count: number,
  replicaSum: ReplicaSum,
): { mean: tf.Tensor1D; variance: tf.Tensor1D; total: number } {
  const [localMean, localSquares] = tf.tidy(() => {
    const m = tf.mean(x, axes);
    return [m, tf.sum(tf.square(tf.sub(x, m)), axes)];
  });
  const mu = localMean.dataSync(), m2 = localSquares.dataSync();
  tf.dispose([localMean, localSquares]);
  const c = mu.length;
  // [count, count * mean (C), squares about the mean + count * mean^2 (C)]
  const local = new Float64Array(1 + 2 * c);
  local[0] = count;
  for (let i = 0; i < c; i++) {
    local[1 + i] = count * mu[i];
    local[1 + c + i] = m2[i] + count * mu[i] * mu[i];
  }
  const summed = replicaSum(local);
  const total = summed[0];
  const mean = new Float32Array(c), variance = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const m = summed[1 + i] / total;
    mean[i] = m;
    variance[i] = Math.max(0, summed[1 + c + i] / total - m * m);
  }
  return { mean: tf.tensor1d(mean), variance: tf.tensor1d(variance), total };
}

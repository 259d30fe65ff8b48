import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkNumber, show } from "@simclr/internal/checks";

/** Kernel name of one parameter's whole update, on backends that have it. */
const FUSED_ADAMW = "SimCLRAdamW";
/**
 * The largest parameter (values) the fused kernel updates: it is one pass of JavaScript, which
 * beats the 16 kernels it replaces only while their dispatch outweighs its arithmetic (native,
 * measured: 1,024 values 50 us against 151, 16,384 231 against 239, 65,536 809 against 289).
 */
const FUSED_MAX = 16384;

/** Options of {@linkcode AdamW}; defaults are PyTorch's. */
export interface AdamWOptions {
  /** Learning rate. Default `1e-3`. */
  lr?: number;
  /** Coefficients of the running averages of the gradient and its square. Default `[0.9, 0.999]`. */
  betas?: [number, number];
  /** Added to the denominator for stability. Default `1e-8`. */
  eps?: number;
  /** Decoupled weight decay. Default `1e-2`. */
  weightDecay?: number;
  /** Names of parameters that get no weight decay (e.g. a model's biases and norm weights). */
  noDecay?: Iterable<string>;
}

/** The saveable state of an {@linkcode AdamW}: PyTorch's `step`, `exp_avg`, `exp_avg_sq`. */
export interface AdamWState {
  /** Steps taken so far. */
  step: number;
  /** First-moment estimates, by parameter name. */
  expAvg: Map<string, tf.Tensor>;
  /** Second-moment estimates, by parameter name. */
  expAvgSq: Map<string, tf.Tensor>;
}

/**
 * AdamW with PyTorch's semantics (`torch.optim.AdamW`, amsgrad off): decoupled weight decay
 * `p <- p * (1 - lr * wd)`, then the bias-corrected Adam step
 * `p <- p - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * It updates named `tf.Variable`s in place from gradients with the same names, as returned by
 * `tf.variableGrads`. Parameters listed in `noDecay` are not decayed.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { AdamW } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const w = tf.variable(tf.tensor1d([1, -2]), true, "w");
 * const optimizer = new AdamW(new Map([["w", w]]), { lr: 0.1, weightDecay: 0 });
 * const { grads, value } = tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]);
 * optimizer.step(new Map([["w", grads.w]]));
 * // Adam's first step moves each weight by lr against its gradient's sign
 * assert.deepEqual(Array.from(await w.data(), (v) => Math.round(v * 1e6) / 1e6), [0.9, -1.9]);
 * tf.dispose([value, grads.w]);
 * optimizer.dispose();
 * w.dispose();
 * ```
 */
export class AdamW {
  /** Learning rate of the next step; schedulers set it. */
  lr: number;
  readonly #params: Map<string, tf.Variable>;
  readonly #betas: [number, number];
  readonly #eps: number;
  readonly #weightDecay: number;
  readonly #noDecay: Set<string>;
  #step = 0;
  readonly #expAvg = new Map<string, tf.Variable>();
  readonly #expAvgSq = new Map<string, tf.Variable>();

  /**
   * Creates the optimiser; moments are allocated at each parameter's first step.
   *
   * @param params The variables to optimise, by name.
   * @param options Learning rate, betas, eps, weight decay and the names to exclude from it.
   */
  constructor(params: Map<string, tf.Variable>, options: AdamWOptions = {}) {
    const { lr = 1e-3, betas = [0.9, 0.999], eps = 1e-8, weightDecay = 1e-2 } = options;
    const fn = "AdamW()";
    checkNumber(fn, "options.lr", lr, { min: 0 });
    checkNumber(fn, "options.eps", eps, { min: 0 });
    checkNumber(fn, "options.weightDecay", weightDecay, { min: 0 });
    betas.forEach((beta, i) => {
      if (!(beta >= 0 && beta < 1)) {
        throw new RangeError(
          argumentMessage(fn, `options.betas[${i}] is ${show(beta)}`, "a number in [0, 1)"),
        );
      }
    });
    const noDecay = [...(options.noDecay ?? [])];
    noDecay.forEach((name, i) => {
      if (!params.has(name)) {
        throw new RangeError(
          argumentMessage(fn, `options.noDecay[${i}] is ${show(name)}`, "the name of a parameter"),
        );
      }
    });
    this.#noDecay = new Set(noDecay);
    this.lr = lr;
    this.#params = params;
    this.#betas = betas;
    this.#eps = eps;
    this.#weightDecay = weightDecay;
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.#step;
  }

  /**
   * The options another optimiser needs to take the same steps (data-parallel replicas).
   *
   * @returns The learning rate, betas, eps, weight decay and the names without decay.
   */
  settings(): Required<Omit<AdamWOptions, "noDecay">> & { noDecay: string[] } {
    return {
      lr: this.lr,
      betas: [...this.#betas],
      eps: this.#eps,
      weightDecay: this.#weightDecay,
      noDecay: [...this.#noDecay],
    };
  }

  /**
   * Applies one update. Parameters without a gradient in `grads` are left alone (as PyTorch
   * skips parameters whose `.grad` is None).
   *
   * @param grads Gradients by parameter name (not disposed here).
   */
  step(grads: Map<string, tf.Tensor> | Record<string, tf.Tensor>): void {
    const entries = grads instanceof Map ? [...grads] : Object.entries(grads);
    for (const [name, grad] of entries) {
      const param = this.#params.get(name);
      if (!param) {
        throw new RangeError(
          argumentMessage("AdamW.step()", `grads has ${show(name)}`, "names of parameters only"),
        );
      }
      if (!tf.util.arraysEqual(param.shape, grad.shape)) {
        throw new RangeError(
          argumentMessage(
            "AdamW.step()",
            `grads[${show(name)}] has shape ${show(grad.shape)}`,
            `${show(param.shape)}, the parameter's`,
          ),
        );
      }
    }
    this.#step += 1;
    const [beta1, beta2] = this.#betas;
    const correction1 = 1 - beta1 ** this.#step;
    const correction2 = 1 - beta2 ** this.#step;
    const fused = tf.getKernel(FUSED_ADAMW, tf.getBackend()) !== undefined;
    for (const [name, grad] of entries) {
      const param = this.#params.get(name)!;
      const expAvg = this.#moment(this.#expAvg, name, param);
      const expAvgSq = this.#moment(this.#expAvgSq, name, param);
      const decay = this.#noDecay.has(name) ? 0 : this.lr * this.#weightDecay;
      if (fused && grad.dtype === "float32" && param.size <= FUSED_MAX) {
        // the ops below in one kernel, the same bytes (the native backend's)
        const attrs = {
          beta1,
          beta2,
          decay,
          sqrtCorrection2: Math.sqrt(correction2),
          eps: this.#eps,
          stepSize: this.lr / correction1,
        };
        const inputs = { param, grad, expAvg, expAvgSq };
        const [p, m, v] = tf.engine().runKernel(FUSED_ADAMW, inputs, attrs) as tf.Tensor[];
        expAvg.assign(m);
        expAvgSq.assign(v);
        param.assign(p);
        tf.dispose([p, m, v]);
        continue;
      }
      tf.tidy(() => {
        const decayed = decay === 0 ? param : tf.mul(param, 1 - decay);
        const m = tf.add(tf.mul(expAvg, beta1), tf.mul(grad, 1 - beta1));
        const v = tf.add(tf.mul(expAvgSq, beta2), tf.mul(tf.square(grad), 1 - beta2));
        const denominator = tf.add(tf.div(tf.sqrt(v), Math.sqrt(correction2)), this.#eps);
        const update = tf.mul(tf.div(m, denominator), this.lr / correction1);
        expAvg.assign(m);
        expAvgSq.assign(v);
        param.assign(tf.sub(decayed, update));
      });
    }
  }

  /**
   * The state to checkpoint.
   *
   * @returns Copies of the step count and moments (the caller disposes them).
   */
  state(): AdamWState {
    const copy = (moments: Map<string, tf.Variable>) =>
      new Map([...moments].map(([name, t]) => [name, tf.clone(t)]));
    return { step: this.#step, expAvg: copy(this.#expAvg), expAvgSq: copy(this.#expAvgSq) };
  }

  /**
   * Restores what {@linkcode AdamW.state} returned (the tensors are copied, not kept).
   *
   * @param state The saved step count and moments.
   */
  loadState(state: AdamWState): void {
    for (
      const [label, saved, own] of [
        ["expAvg", state.expAvg, this.#expAvg],
        ["expAvgSq", state.expAvgSq, this.#expAvgSq],
      ] as const
    ) {
      for (const [name, tensor] of saved) {
        const param = this.#params.get(name);
        const fn = "AdamW.loadState()";
        if (!param) {
          throw new RangeError(
            argumentMessage(fn, `state.${label} has ${show(name)}`, "names of parameters only"),
          );
        }
        if (!tf.util.arraysEqual(param.shape, tensor.shape)) {
          throw new RangeError(
            argumentMessage(
              fn,
              `state.${label}[${show(name)}] has shape ${show(tensor.shape)}`,
              `${show(param.shape)}, the parameter's`,
            ),
          );
        }
        const moment = this.#moment(own, name, param);
        tf.tidy(() => moment.assign(tf.cast(tensor, "float32")));
      }
    }
    this.#step = state.step;
  }

  /** Frees the moment estimates (not the parameters). */
  dispose(): void {
    for (const moments of [this.#expAvg, this.#expAvgSq]) {
      moments.forEach((t) => t.dispose());
      moments.clear();
    }
  }

  #moment(moments: Map<string, tf.Variable>, name: string, param: tf.Variable): tf.Variable {
    let moment = moments.get(name);
    if (!moment) {
      moment = tf.tidy(() => tf.variable(tf.zerosLike(param), false));
      moments.set(name, moment);
    }
    return moment;
  }
}

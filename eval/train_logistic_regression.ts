// Copyright the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { createRng, DEFAULT_SEED, type Rng } from "@simclr/internal/random";
import { AdamW } from "@simclr/train/adamw";
import { multiStepLR } from "@simclr/train/multi-step-lr";
import { accuracy } from "./accuracy.ts";
import { checkClasses, checkFeatureSets } from "./_check.ts";

/** Options for {@linkcode trainLogisticRegression}; defaults are the tutorial's. */
export interface LogisticRegressionOptions {
  /** Training epochs. Default 100. */
  epochs?: number;
  /** AdamW learning rate. Default 1e-3. */
  lr?: number;
  /** AdamW (decoupled) weight decay, applied to the weight and the bias. Default 1e-3. */
  weightDecay?: number;
  /** Mini-batch size (the last batch may be smaller). Default 64. */
  batchSize?: number;
  /** Epochs at which the learning rate is multiplied by `gamma`. Default `[⌊0.6·epochs⌋, ⌊0.8·epochs⌋]`. */
  milestones?: number[];
  /** Learning-rate factor at each milestone. Default 0.1. */
  gamma?: number;
  /** Test accuracy is measured after every `evalEvery` epochs; the best weights are kept. Default 10. */
  evalEvery?: number;
  /** Seed of the initial weights and of the shuffling. Default 42 (the tutorial's). */
  seed?: number;
  /** Number of classes. Default: the largest label (train or test) + 1. */
  numClasses?: number;
  /** Shuffle the training samples every epoch (seeded). Default true. */
  shuffle?: boolean;
  /** Explicit sample order of each epoch (overrides `shuffle`): a permutation of `0..n-1`. */
  order?: (epoch: number) => ArrayLike<number>;
  /**
   * Initial weights instead of PyTorch's `nn.Linear` initialisation (uniform in
   * ±1/√featureDim): `weight` is `[featureDim, numClasses]` row-major, `bias` `[numClasses]`.
   */
  initialWeights?: { weight: Float32Array; bias: Float32Array };
  /** Called after every epoch with its record. */
  onEpoch?: (record: LogisticRegressionEpoch) => void;
}

/** One epoch of {@linkcode trainLogisticRegression}. */
export interface LogisticRegressionEpoch {
  /** Epoch index, from 0. */
  epoch: number;
  /** Learning rate used in this epoch. */
  lr: number;
  /** Mean cross-entropy over the epoch's training samples. */
  loss: number;
  /** Accuracy over the epoch's training batches (before each step's update). */
  trainAccuracy: number;
  /** Test accuracy, on the epochs where it was measured. */
  testAccuracy?: number;
}

/** The result of {@linkcode trainLogisticRegression}. */
export interface LogisticRegressionResult {
  /** Accuracy of the kept (best) weights on the whole training set. */
  trainAccuracy: number;
  /** Accuracy of the kept (best) weights on the test set. */
  testAccuracy: number;
  /** The class the kept weights predict for each test sample. */
  testPredictions: Int32Array;
  /** The epoch (from 0) after which the kept weights were measured. */
  bestEpoch: number;
  /** Kept weight, `[featureDim, numClasses]` row-major. */
  weight: Float32Array;
  /** Kept bias, `[numClasses]`. */
  bias: Float32Array;
  /** One record per epoch. */
  history: LogisticRegressionEpoch[];
}

/**
 * The tutorial's linear probe: a logistic regression (`nn.Linear(featureDim, numClasses)` with
 * cross-entropy) trained on frozen features with AdamW and a `MultiStepLR` schedule, the test
 * accuracy measured every `evalEvery` epochs and the best weights kept (as Lightning's
 * `ModelCheckpoint(mode="max", monitor="val_acc")` with `check_val_every_n_epoch=10`). The
 * gradient of the cross-entropy is computed in closed form, `(softmax - onehot) / batch`.
 *
 * @param trainFeatures Training features, shape `[n, featureDim]`.
 * @param trainLabels Class of each training sample, length `n`.
 * @param testFeatures Test features, shape `[m, featureDim]`.
 * @param testLabels Class of each test sample, length `m`.
 * @param options Training options (the tutorial's by default).
 * @returns Train and test accuracy of the kept weights, the weights and the per-epoch history.
 *
 * @example Two separable classes
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { trainLogisticRegression } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const train = tf.tensor2d([[1, 0], [0.9, 0.2], [0, 1], [0.1, 0.8]]);
 * const test = tf.tensor2d([[1, 0.1], [0.2, 1]]);
 * const result = await trainLogisticRegression(train, [0, 0, 1, 1], test, [0, 1], {
 *   epochs: 20,
 *   lr: 0.1,
 *   evalEvery: 5,
 * });
 * assert.equal(result.testAccuracy, 1);
 * tf.dispose([train, test]);
 * ```
 */
export async function trainLogisticRegression(
  trainFeatures: tf.Tensor2D,
  trainLabels: ArrayLike<number>,
  testFeatures: tf.Tensor2D,
  testLabels: ArrayLike<number>,
  options: LogisticRegressionOptions = {},
): Promise<LogisticRegressionResult> {
  const fn = "trainLogisticRegression()";
  checkFeatureSets(fn, trainFeatures, trainLabels, testFeatures);
  const [n, dim] = trainFeatures.shape;
  const m = testFeatures.shape[0];
  if (m === 0) {
    throw new RangeError(argumentMessage(fn, "testFeatures has 0 rows", "a non-empty test set"));
  }
  if (testLabels.length !== m) {
    throw new RangeError(
      argumentMessage(
        fn,
        `testLabels has length ${testLabels.length} but testFeatures has ${m} rows`,
        "equal",
      ),
    );
  }
  const epochs = checkInteger(fn, "options.epochs", options.epochs ?? 100, { min: 1 });
  const batchSize = checkInteger(fn, "options.batchSize", options.batchSize ?? 64, { min: 1 });
  const evalEvery = checkInteger(fn, "options.evalEvery", options.evalEvery ?? 10, { min: 1 });
  const lr = options.lr ?? 1e-3;
  const weightDecay = options.weightDecay ?? 1e-3;
  const milestones = options.milestones ??
    [Math.floor(epochs * 0.6), Math.floor(epochs * 0.8)];
  const gamma = options.gamma ?? 0.1;
  const seed = options.seed ?? DEFAULT_SEED;
  let maxLabel = 0;
  for (let i = 0; i < n; i++) maxLabel = Math.max(maxLabel, trainLabels[i]);
  for (let i = 0; i < m; i++) maxLabel = Math.max(maxLabel, testLabels[i]);
  const numClasses = options.numClasses ?? maxLabel + 1;
  const classesName = options.numClasses === undefined
    ? "numClasses (the largest label + 1)"
    : "options.numClasses";
  checkInteger(fn, classesName, numClasses, { min: 1 });
  checkClasses(fn, "trainLabels", trainLabels, numClasses);
  checkClasses(fn, "testLabels", testLabels, numClasses);

  const rng = createRng(seed);
  const init = options.initialWeights ?? linearInit(dim, numClasses, rng);
  if (init.weight.length !== dim * numClasses || init.bias.length !== numClasses) {
    throw new RangeError(
      argumentMessage(
        fn,
        `options.initialWeights has ${init.weight.length} weights and ${init.bias.length} biases`,
        `${dim * numClasses} ([${dim}, ${numClasses}]) and ${numClasses}`,
      ),
    );
  }
  const weight = tf.tidy(() => tf.variable(tf.tensor2d(init.weight, [dim, numClasses])));
  const bias = tf.tidy(() => tf.variable(tf.tensor1d(init.bias)));
  const params = new Map<string, tf.Variable>([["weight", weight], ["bias", bias]]);
  const optimizer = new AdamW(params, {
    lr,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay,
  });
  const schedule = multiStepLR({ baseLr: lr, milestones, gamma });
  const trainLabelTensor = tf.tensor1d(Int32Array.from(trainLabels), "int32"); // [n]
  const history: LogisticRegressionEpoch[] = [];
  let best = { accuracy: -1, epoch: -1, weight: new Float32Array(0), bias: new Float32Array(0) };
  const predict = async (x: tf.Tensor2D): Promise<Int32Array> => {
    const predicted = tf.tidy(() => tf.argMax(tf.add(tf.matMul(x, weight), bias), 1));
    const values = await predicted.data() as Int32Array;
    predicted.dispose();
    return values;
  };
  const evaluate = async (x: tf.Tensor2D, labels: ArrayLike<number>): Promise<number> =>
    accuracy(await predict(x), labels);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const epochLr = schedule(epoch);
      optimizer.lr = epochLr;
      const order = options.order
        ? checkedOrder(options.order(epoch), n, epoch)
        : options.shuffle === false
        ? Int32Array.from({ length: n }, (_, i) => i)
        : Int32Array.from(rng.permutation(n));
      // Per-batch loss sums and hits stay on the device until the epoch ends: one read per
      // epoch, not two per batch.
      const lossSums: tf.Scalar[] = [];
      const hits: tf.Scalar[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.subarray(start, Math.min(start + batchSize, n));
        const b = idx.length;
        const step = tf.tidy(() => {
          const indices = tf.tensor1d(idx, "int32"); // [b]
          const x = tf.gather(trainFeatures, indices); // [b, dim]
          const y = tf.oneHot(tf.gather(trainLabelTensor, indices), numClasses); // [b, C]
          const logits = tf.add(tf.matMul(x, weight), bias); // [b, C]
          const logProbs = tf.logSoftmax(logits); // [b, C]
          const dLogits = tf.div(tf.sub(tf.exp(logProbs), y), b); // [b, C]
          return {
            weight: tf.matMul(x, dLogits, true, false), // [dim, C]
            bias: tf.sum(dLogits, 0), // [C]
            loss: tf.neg(tf.mean(tf.sum(tf.mul(y, logProbs), 1))),
            hits: tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), tf.argMax(y, 1)), "float32")),
          };
        });
        optimizer.step(new Map([["weight", step.weight], ["bias", step.bias]]));
        lossSums.push(tf.tidy(() => tf.mul(step.loss, b)));
        hits.push(step.hits as tf.Scalar);
        tf.dispose([step.weight, step.bias, step.loss]);
      }
      const totals = tf.tidy(() => tf.stack([tf.addN(lossSums), tf.addN(hits)]));
      const [lossSum, correct] = await totals.data();
      tf.dispose([totals, ...lossSums, ...hits]);
      const record: LogisticRegressionEpoch = {
        epoch,
        lr: epochLr,
        loss: lossSum / n,
        trainAccuracy: correct / n,
      };
      const last = epoch === epochs - 1;
      if ((epoch + 1) % evalEvery === 0 || (last && best.epoch < 0)) {
        const testAccuracy = await evaluate(testFeatures, testLabels);
        record.testAccuracy = testAccuracy;
        if (testAccuracy > best.accuracy) {
          best = {
            accuracy: testAccuracy,
            epoch,
            weight: Float32Array.from(await weight.data()),
            bias: Float32Array.from(await bias.data()),
          };
        }
      }
      history.push(record);
      options.onEpoch?.(record);
    }
    tf.tidy(() => {
      weight.assign(tf.tensor2d(best.weight, [dim, numClasses]));
      bias.assign(tf.tensor1d(best.bias));
    });
    const testPredictions = await predict(testFeatures);
    return {
      trainAccuracy: await evaluate(trainFeatures, trainLabels),
      testAccuracy: accuracy(testPredictions, testLabels),
      testPredictions,
      bestEpoch: best.epoch,
      weight: best.weight,
      bias: best.bias,
      history,
    };
  } finally {
    optimizer.dispose();
    tf.dispose([weight, bias, trainLabelTensor]);
  }
}

/** PyTorch's `nn.Linear` default initialisation: weight and bias uniform in ±1/√fanIn. */
function linearInit(
  dim: number,
  numClasses: number,
  rng: Rng,
): { weight: Float32Array; bias: Float32Array } {
  const bound = 1 / Math.sqrt(dim);
  const uniform = () => rng.uniform(-bound, bound);
  return {
    weight: Float32Array.from({ length: dim * numClasses }, uniform),
    bias: Float32Array.from({ length: numClasses }, uniform),
  };
}

function checkedOrder(order: ArrayLike<number>, n: number, epoch: number): Int32Array {
  const seen = new Uint8Array(n);
  if (order.length !== n) {
    throw new RangeError(
      argumentMessage(
        "trainLogisticRegression()",
        `options.order(${epoch}) has length ${order.length}`,
        `a permutation of 0..${n - 1}`,
      ),
    );
  }
  for (let i = 0; i < n; i++) {
    const v = order[i];
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) {
      throw new RangeError(
        argumentMessage(
          "trainLogisticRegression()",
          `options.order(${epoch})[${i}] is ${show(v)}`,
          `a permutation of 0..${n - 1}`,
        ),
      );
    }
    seen[v] = 1;
  }
  return Int32Array.from(order);
}

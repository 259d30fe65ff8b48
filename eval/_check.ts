// Internal argument checks shared by the metrics. Each takes the public function it runs for
// (`fn`, e.g. "accuracy()") to name it in its message.
import { argumentMessage, show } from "@simclr/internal/checks";

/** Throws unless `predictions` and `labels` are non-empty and the same length. */
export function checkPairs(
  fn: string,
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): void {
  if (predictions.length !== labels.length) {
    throw new RangeError(
      argumentMessage(
        fn,
        `predictions has length ${predictions.length} but labels has length ${labels.length}`,
        "equal lengths",
      ),
    );
  }
  if (labels.length === 0) {
    throw new RangeError(argumentMessage(fn, "labels is empty", "at least one sample"));
  }
}

/**
 * Throws unless the training set is non-empty, has one label per row, and the test features
 * have as many columns as the training features.
 */
export function checkFeatureSets(
  fn: string,
  trainFeatures: { shape: number[] },
  trainLabels: ArrayLike<number>,
  testFeatures: { shape: number[] },
): void {
  const [n, dim] = trainFeatures.shape;
  const testDim = testFeatures.shape[1];
  if (n === 0) {
    throw new RangeError(
      argumentMessage(fn, "trainFeatures has 0 rows", "a non-empty training set"),
    );
  }
  if (trainLabels.length !== n) {
    throw new RangeError(
      argumentMessage(
        fn,
        `trainLabels has length ${trainLabels.length} but trainFeatures has ${n} rows`,
        "equal",
      ),
    );
  }
  if (testDim !== dim) {
    throw new RangeError(
      argumentMessage(
        fn,
        `testFeatures has ${testDim} columns but trainFeatures has ${dim}`,
        "equal feature sizes",
      ),
    );
  }
}

/** Throws unless every value of `values` is an integer class in [0, numClasses). */
export function checkClasses(
  fn: string,
  name: string,
  values: ArrayLike<number>,
  numClasses: number,
): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new RangeError(
        argumentMessage(
          fn,
          `${name}[${i}] is ${show(v)}`,
          `an integer class in [0, ${numClasses})`,
        ),
      );
    }
  }
}

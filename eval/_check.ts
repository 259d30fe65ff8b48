// Internal argument checks shared by the metrics.

/** Throws unless `predictions` and `labels` are non-empty and the same length. */
export function checkPairs(
  predictions: ArrayLike<number>,
  labels: ArrayLike<number>,
): void {
  if (predictions.length !== labels.length) {
    throw new RangeError(
      `predictions has length ${predictions.length} but labels has length ${labels.length}: expected equal lengths`,
    );
  }
  if (labels.length === 0) {
    throw new RangeError("labels is empty: expected at least one sample");
  }
}

/**
 * Throws unless the training set is non-empty, has one label per row, and the test features
 * have as many columns as the training features.
 */
export function checkFeatureSets(
  trainFeatures: { shape: number[] },
  trainLabels: ArrayLike<number>,
  testFeatures: { shape: number[] },
): void {
  const [n, dim] = trainFeatures.shape;
  const testDim = testFeatures.shape[1];
  if (n === 0) throw new RangeError("trainFeatures has 0 rows: expected a non-empty training set");
  if (trainLabels.length !== n) {
    throw new RangeError(
      `trainLabels has length ${trainLabels.length} but trainFeatures has ${n} rows: expected equal`,
    );
  }
  if (testDim !== dim) {
    throw new RangeError(
      `testFeatures has ${testDim} columns but trainFeatures has ${dim}: expected equal feature sizes`,
    );
  }
}

/** Throws unless `numClasses` is a positive integer. */
export function checkNumClasses(numClasses: number): void {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses is ${numClasses}: expected a positive integer`);
  }
}

/** Throws unless every value of `values` is an integer class in [0, numClasses). */
export function checkClasses(name: string, values: ArrayLike<number>, numClasses: number): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new RangeError(
        `${name}[${i}] is ${v}: expected an integer class in [0, ${numClasses})`,
      );
    }
  }
}

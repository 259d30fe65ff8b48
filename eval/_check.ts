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

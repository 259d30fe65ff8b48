// Copyright 2026 the simclr authors. MIT license.
/**
 * Argument checks with the project's one error-message format:
 *
 * ```text
 * <function>(): <argument> is <value>: expected <what>
 * ```
 *
 * e.g. `stepsPerEpoch(): options.batchSize is 0: expected a positive integer`. A wrong type is a
 * `TypeError`, a value out of range a `RangeError`; both name the function, the argument, the
 * value and what was expected.
 *
 * @module
 */

/**
 * A value as error messages show it: numbers and booleans as they are, strings quoted, arrays
 * in brackets, tensors (anything with a `shape`) by shape, other objects by their type.
 *
 * @param value Anything.
 * @returns A short description.
 *
 * @example
 * ```ts
 * import { show } from "@simclr/internal/checks";
 * import assert from "node:assert/strict";
 *
 * assert.equal(show("cpu"), '"cpu"');
 * assert.equal(show([1, 2]), "[1, 2]");
 * assert.equal(show({ shape: [2, 3] }), "a tensor of shape [2, 3]");
 * ```
 */
export function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (value !== null && typeof value === "object") {
    const shape = (value as { shape?: unknown }).shape;
    if (Array.isArray(shape)) return `a tensor of shape [${shape.join(", ")}]`;
    const name = (value as object).constructor?.name;
    return name && name !== "Object" ? `a ${name}` : "an object";
  }
  return String(value);
}

/**
 * The message of an argument error in the project's format.
 *
 * @param fn The function, e.g. `"infoNCE()"`.
 * @param subject The argument and what it is, e.g. `"options.size is 0"` or
 *   `"features has shape [3]"`.
 * @param expected What was expected, e.g. `"a positive integer"`.
 * @returns `` `${fn}: ${subject}: expected ${expected}` ``.
 *
 * @example
 * ```ts
 * import { argumentMessage } from "@simclr/internal/checks";
 * import assert from "node:assert/strict";
 *
 * assert.equal(
 *   argumentMessage("f()", "size is 0", "a positive integer"),
 *   "f(): size is 0: expected a positive integer",
 * );
 * ```
 */
export function argumentMessage(fn: string, subject: string, expected: string): string {
  return `${fn}: ${subject}: expected ${expected}`;
}

/** Bounds of {@linkcode checkInteger} and {@linkcode checkNumber}. */
export interface Bounds {
  /** Smallest allowed value. */
  min?: number;
  /** Largest allowed value. */
  max?: number;
  /** `min` itself is not allowed (numbers only). */
  exclusiveMin?: boolean;
}

function boundsText(kind: string, { min, max, exclusiveMin }: Bounds): string {
  if (min !== undefined && max !== undefined) {
    return `${kind} in ${exclusiveMin ? "(" : "["}${min}, ${max}]`;
  }
  if (min !== undefined) {
    if (min === 1 && kind === "an integer" && !exclusiveMin) return "a positive integer";
    return `${kind} ${exclusiveMin ? ">" : ">="} ${min}`;
  }
  if (max !== undefined) return `${kind} <= ${max}`;
  return kind;
}

/**
 * Throws a `RangeError` in the project's format unless `value` is an integer within `bounds`.
 *
 * @param fn The function, e.g. `"batches()"`.
 * @param name The argument, e.g. `"options.batchSize"`.
 * @param value The value to check.
 * @param bounds Smallest and largest allowed values.
 * @returns `value`, for use in expressions.
 *
 * @example
 * ```ts
 * import { checkInteger } from "@simclr/internal/checks";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkInteger("f()", "k", 3, { min: 1 }), 3);
 * assert.throws(() => checkInteger("f()", "k", 0, { min: 1 }), {
 *   name: "RangeError",
 *   message: "f(): k is 0: expected a positive integer",
 * });
 * ```
 */
export function checkInteger(fn: string, name: string, value: number, bounds: Bounds = {}): number {
  const { min = -Infinity, max = Infinity } = bounds;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(
      argumentMessage(fn, `${name} is ${show(value)}`, boundsText("an integer", bounds)),
    );
  }
  return value;
}

/**
 * Throws a `RangeError` in the project's format unless `value` is a finite number within
 * `bounds`.
 *
 * @param fn The function, e.g. `"infoNCE()"`.
 * @param name The argument, e.g. `"options.temperature"`.
 * @param value The value to check.
 * @param bounds Smallest and largest allowed values; `exclusiveMin` excludes `min`.
 * @returns `value`, for use in expressions.
 *
 * @example
 * ```ts
 * import { checkNumber } from "@simclr/internal/checks";
 * import assert from "node:assert/strict";
 *
 * assert.throws(() => checkNumber("f()", "t", 0, { min: 0, exclusiveMin: true }), {
 *   message: "f(): t is 0: expected a number > 0",
 * });
 * ```
 */
export function checkNumber(fn: string, name: string, value: number, bounds: Bounds = {}): number {
  const { min = -Infinity, max = Infinity, exclusiveMin = false } = bounds;
  const ok = typeof value === "number" && Number.isFinite(value) &&
    (exclusiveMin ? value > min : value >= min) && value <= max;
  if (!ok) {
    throw new RangeError(
      argumentMessage(fn, `${name} is ${show(value)}`, boundsText("a number", bounds)),
    );
  }
  return value;
}

/**
 * Throws a `TypeError` in the project's format unless `value` is `true` or `false`.
 *
 * @param fn The function, e.g. `"resizedCrop()"`.
 * @param name The argument, e.g. `"options.antialias"`.
 * @param value The value to check.
 * @returns `value`, for use in expressions.
 *
 * @example
 * ```ts
 * import { checkBoolean } from "@simclr/internal/checks";
 * import assert from "node:assert/strict";
 *
 * assert.equal(checkBoolean("f()", "options.on", false), false);
 * assert.throws(() => checkBoolean("f()", "options.on", "yes"), {
 *   name: "TypeError",
 *   message: 'f(): options.on is "yes": expected a boolean',
 * });
 * ```
 */
export function checkBoolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") {
    throw new TypeError(argumentMessage(fn, `${name} is ${show(value)}`, "a boolean"));
  }
  return value;
}

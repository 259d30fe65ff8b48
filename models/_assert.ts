// Small assertion helpers over node:assert/strict for the tests (not exported by mod.ts).
import nodeAssert from "node:assert/strict";

/** Asserts `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  if (message === undefined) nodeAssert.ok(value);
  else nodeAssert.ok(value, message);
}

/** Deep strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  if (message === undefined) nodeAssert.deepStrictEqual(actual, expected);
  else nodeAssert.deepStrictEqual(actual, expected, message);
}

/** Asserts `fn` throws an instance of `type` whose message includes `includes`; returns it. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  type: new (...args: never[]) => E,
  includes?: string,
): E {
  try {
    fn();
  } catch (e) {
    nodeAssert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    if (includes !== undefined) {
      nodeAssert.ok((e as Error).message.includes(includes), (e as Error).message);
    }
    return e as E;
  }
  throw new nodeAssert.AssertionError({ message: "expected the function to throw" });
}

/** Async {@linkcode assertThrows}. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  type: new (...args: never[]) => E,
  includes?: string,
): Promise<E> {
  try {
    await fn();
  } catch (e) {
    nodeAssert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    if (includes !== undefined) {
      nodeAssert.ok((e as Error).message.includes(includes), (e as Error).message);
    }
    return e as E;
  }
  throw new nodeAssert.AssertionError({ message: "expected the promise to reject" });
}

// Copyright 2026 the simclr authors. MIT license.

/** A field of `options`, or `fallback` when it is absent (undefined). */
export function pick<T>(options: object, key: string, fallback: T): T {
  const value = (options as Record<string, unknown>)[key];
  return value === undefined ? fallback : value as T;
}

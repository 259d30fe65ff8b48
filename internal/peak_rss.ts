// Copyright 2026 the simclr authors. MIT license.
/**
 * Peak resident memory of this process, for the fit loop's epoch records and the benchmark.
 *
 * @module
 */

/**
 * The peak resident set size of this process in MiB: Linux's `VmHWM`, else (other systems, or
 * no permission to read `/proc`) the current resident size.
 *
 * @returns Mebibytes.
 *
 * @example
 * ```ts
 * import { peakRssMiB } from "@simclr/internal/peak-rss";
 * import assert from "node:assert/strict";
 *
 * assert.ok(peakRssMiB() > 0);
 * ```
 */
export function peakRssMiB(): number {
  try {
    const match = Deno.readTextFileSync("/proc/self/status").match(/^VmHWM:\s+(\d+) kB/m);
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux, or no read permission: the current size below.
  }
  return Deno.memoryUsage().rss / 2 ** 20;
}

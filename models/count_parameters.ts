import type { Module } from "./module.ts";

/**
 * Number of trainable scalars of a network (as `sum(p.numel() for p in model.parameters())`).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { countParameters, resnet18 } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * const net = resnet18();
 * assert.deepStrictEqual(countParameters(net), 11_689_512);
 * net.dispose();
 * ```
 *
 * @param module The network.
 * @returns The total size of `module.parameters()`.
 */
export function countParameters(module: Module): number {
  let n = 0;
  for (const v of module.parameters().values()) n += v.size;
  return n;
}

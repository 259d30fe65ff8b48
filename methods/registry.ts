// Copyright 2026 the simclr authors. MIT license.
import { argumentMessage, show } from "@simclr/internal/checks";
import { barlowTwinsMethod } from "./barlow_twins.ts";
import { byolMethod } from "./byol.ts";
import type { Method } from "./method.ts";
import { simclrMethod } from "./simclr.ts";
import { supConMethod } from "./sup_con.ts";

/**
 * Every method by the name `--method` takes, in the order `--help` lists them. A new method is
 * one file exporting a {@linkcode Method} and one line here.
 *
 * @example
 * ```ts
 * import { METHODS } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(Object.keys(METHODS), ["simclr", "supcon", "barlow", "byol"]);
 * assert.equal(METHODS.byol.title, "BYOL");
 * ```
 */
export const METHODS: Readonly<Record<string, Method>> = {
  simclr: simclrMethod,
  supcon: supConMethod,
  barlow: barlowTwinsMethod,
  byol: byolMethod,
};

/**
 * The method named `name` in {@linkcode METHODS}.
 *
 * @param name A method's name, e.g. `"barlow"`.
 * @returns The method.
 * @throws {RangeError} For a name that is not in the registry.
 *
 * @example
 * ```ts
 * import { methodByName } from "@simclr/methods";
 * import assert from "node:assert/strict";
 *
 * assert.equal(methodByName("barlow").title, "Barlow Twins");
 * assert.throws(() => methodByName("moco"), RangeError);
 * ```
 */
export function methodByName(name: string): Method {
  const method = Object.hasOwn(METHODS, name) ? METHODS[name] : undefined;
  if (method === undefined) {
    throw new RangeError(
      argumentMessage(
        "methodByName()",
        `name is ${show(name)}`,
        `one of ${Object.keys(METHODS).join(", ")}`,
      ),
    );
  }
  return method;
}

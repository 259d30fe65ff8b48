// Copyright 2026 the simclr authors. MIT license.

/**
 * One flag of a command, which is one field of a pipeline function's config: `--batch-size`
 * is `batchSize`. The commands parse and document their flags from these (`--help`), and the
 * pipeline functions fill the same defaults.
 */
export interface Flag {
  /** Long name without the dashes, e.g. `"batch-size"` (the config field is its camelCase). */
  name: string;
  /** How the value is read. */
  type: "string" | "integer" | "number" | "boolean";
  /** What it does, for `--help`. */
  help: string;
  /** The value of an absent flag (shown in `--help`); without it, the command's preset decides. */
  default?: string | number | boolean;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Smallest allowed value of a number flag. */
  min?: number;
  /** An integer flag that also takes `auto` (the command then decides). */
  auto?: boolean;
}

/** A command: its name (`deno task NAME`), what it does, and its flags. */
export interface CommandSpec {
  /** The task's name, e.g. `"pretrain"`. */
  name: string;
  /** One paragraph for `--help`. */
  description: string;
  /** Its flags, in the order `--help` lists them. */
  flags: readonly Flag[];
}

/** Parsed flags by name: absent flags take their `default`, or are `undefined` without one. */
export type Flags = Record<string, string | number | boolean | undefined>;

/**
 * The config field of a flag: its name in camelCase.
 *
 * @param name A flag's name, e.g. `"batch-size"`.
 * @returns The field, e.g. `"batchSize"`.
 *
 * @example
 * ```ts
 * import { flagKey } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(flagKey("max-blur-sigma"), "maxBlurSigma");
 * ```
 */
export function flagKey(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The flag of a config field: its name in kebab-case (what error messages name).
 *
 * @param key A config field, e.g. `"batchSize"`.
 * @returns The flag's name, e.g. `"batch-size"`.
 *
 * @example
 * ```ts
 * import { flagName } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.equal(flagName("tauBase"), "tau-base");
 * ```
 */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * Parsed flags as config fields (camelCase), the absent ones left out.
 *
 * @param flags Flags by name, as a command parsed them.
 * @returns The fields that have a value.
 *
 * @example
 * ```ts
 * import { flagOptions } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.deepEqual(flagOptions({ "batch-size": 8, lr: undefined }), { batchSize: 8 });
 * ```
 */
export function flagOptions(flags: Flags): Record<string, string | number | boolean> {
  return Object.fromEntries(
    Object.entries(flags).filter(([, v]) => v !== undefined).map(([k, v]) => [flagKey(k), v!]),
  );
}

/**
 * `options` with every absent field that has a flag default taking it (as parsing the command
 * line would).
 *
 * @param flags The flags of the function's command.
 * @param options A config, some fields absent.
 * @returns The config with the flags' defaults filled in.
 *
 * @example
 * ```ts
 * import { withFlagDefaults } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * const flags = [{ name: "knn-k", type: "integer", help: "k", default: 200 }] as const;
 * assert.deepEqual(withFlagDefaults(flags, {}), { knnK: 200 });
 * ```
 */
export function withFlagDefaults<T extends object>(flags: readonly Flag[], options: T): T {
  const out = { ...options } as Record<string, unknown>;
  for (const flag of flags) {
    const key = flagKey(flag.name);
    if (out[key] === undefined && flag.default !== undefined) out[key] = flag.default;
  }
  return out as T;
}

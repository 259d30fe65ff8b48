// Copyright 2026 the simclr authors. MIT license.
import { generateDemoData } from "@simclr/datasets";
import { nullIfMissing } from "@simclr/internal/null-if-missing";

/**
 * Where the demo data set lives unless `SIMCLR_DEMO_DATA` says otherwise.
 *
 * @returns The folder.
 *
 * @example
 * ```ts
 * import { demoDataDir } from "@simclr/pipeline";
 * import assert from "node:assert/strict";
 *
 * assert.ok(demoDataDir().length > 0);
 * ```
 */
export function demoDataDir(): string {
  // Versioned: a newer generator writes a new folder instead of reusing an old one.
  return Deno.env.get("SIMCLR_DEMO_DATA") ?? ".cache/demo-data-v3";
}

/**
 * Generates the demo data set once (into a temporary folder, then renamed); what every
 * pipeline function reads when it is given no data.
 *
 * @param dir The folder (default: {@linkcode demoDataDir}).
 * @returns The folder.
 *
 * @example
 * ```ts ignore
 * import { ensureDemoData } from "@simclr/pipeline";
 *
 * const dir = await ensureDemoData(); // .cache/demo-data-v3, generated on the first call
 * ```
 */
export async function ensureDemoData(dir: string = demoDataDir()): Promise<string> {
  // A set is renamed into place whole: a folder with test_y.bin in it is one.
  const complete = async () => (await nullIfMissing(Deno.stat(`${dir}/test_y.bin`))) !== null;
  if (await complete()) return dir;
  console.error(`generating the demo data set in ${dir} (once)`);
  const parent = dir.includes("/") ? dir.slice(0, dir.lastIndexOf("/")) : ".";
  await Deno.mkdir(parent, { recursive: true });
  const temporary = await Deno.makeTempDir({ dir: parent, prefix: ".demo-data-" });
  await generateDemoData(temporary);
  // rename() onto a folder that holds files fails: so another process (a parallel test file,
  // a second command) that put its set in place meanwhile, and may be reading it, keeps it (the
  // generator is seeded: the same bytes). Only a folder that is not a whole set is replaced.
  for (let attempt = 0;; attempt++) {
    try {
      await Deno.rename(temporary, dir);
      return dir;
    } catch (error) {
      if (await complete()) {
        await Deno.remove(temporary, { recursive: true });
        return dir;
      }
      if (attempt > 0 || (await nullIfMissing(Deno.stat(dir))) === null) throw error;
      await Deno.remove(dir, { recursive: true }); // a folder left incomplete: not a set
    }
  }
}

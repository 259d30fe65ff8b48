// Copyright 2026 the simclr authors. MIT license.
// `deno task tutorial`: the whole tutorial in one run folder: SimCLR pretraining, the linear
// probe (and, for comparison, a probe of an untrained encoder), the supervised baseline, the
// augmentation grid and report.html; a thin shell over `tutorial()` of @simclr/pipeline. Every
// stage resumes: finished stages are skipped, and an interrupted training continues from its
// last checkpoint.
import { tutorial, TUTORIAL_COMMAND, type TutorialOptions } from "@simclr/pipeline";
import { parseCommand, runMain } from "./_cli.ts";

/**
 * Reads the command line into the tutorial's options: its own flags, the shared ones that
 * every stage takes.
 *
 * @param args The flags (see `--help`).
 * @returns The options.
 */
export function tutorialConfig(args: string[]): TutorialOptions {
  return parseCommand(TUTORIAL_COMMAND, args) as TutorialOptions;
}

if (import.meta.main) {
  await runMain(async () => {
    const report = await tutorial(tutorialConfig(Deno.args));
    console.log(`report: ${report}`);
  });
}

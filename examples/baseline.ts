// Copyright 2026 the simclr authors. MIT license.
// `deno task baseline`: the tutorial's supervised ResNet-18 trained from scratch on the
// labelled split (its `train_resnet`), for comparison with the probe on SimCLR features; a thin
// shell over `baseline()` of @simclr/pipeline.
import {
  baseline,
  BASELINE_COMMAND,
  type BaselineConfig,
  resolveBaselineConfig,
} from "@simclr/pipeline";
import { parseCommand, runMain } from "./_cli.ts";

/**
 * Reads the command line into a {@linkcode BaselineConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The config, every absent flag resolved.
 */
export function baselineConfig(args: string[]): BaselineConfig {
  return resolveBaselineConfig(parseCommand(BASELINE_COMMAND, args));
}

if (import.meta.main) {
  await runMain(async () => {
    const config = baselineConfig(Deno.args);
    const result = await baseline(config);
    console.log(
      `baseline: train accuracy ${(100 * result.train).toFixed(2)}%, test accuracy ` +
        `${(100 * result.test).toFixed(2)}% (tutorial on STL10: ` +
        `${(100 * result.tutorial).toFixed(2)}%); ${config.out}/baseline.json`,
    );
  });
}

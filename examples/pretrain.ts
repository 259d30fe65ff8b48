// Copyright 2026 the simclr authors. MIT license.
// `deno task pretrain`: pretraining (SimCLR, the tutorial's `train_simclr`, or another method of
// @simclr/methods with --method), a thin shell over `pretrain()` of @simclr/pipeline.
import { methodByName } from "@simclr/methods";
import {
  pretrain,
  PRETRAIN_COMMAND,
  type PretrainConfig,
  resolvePretrainConfig,
} from "@simclr/pipeline";
import { parseCommand, runMain } from "./_cli.ts";

/**
 * Reads the command line into a {@linkcode PretrainConfig}.
 *
 * @param args The flags (see `--help`).
 * @returns The config, every absent flag resolved.
 */
export function pretrainConfig(args: string[]): PretrainConfig {
  return resolvePretrainConfig(parseCommand(PRETRAIN_COMMAND, args));
}

if (import.meta.main) {
  await runMain(async () => {
    const config = pretrainConfig(Deno.args);
    const result = await pretrain(config);
    const { best, checkpoints } = result;
    console.log(
      `done: ${result.epochs} epochs; weights in ${checkpoints.last}` +
        (best
          ? `, best ${methodByName(config.method).monitor.metric} ${best.value.toFixed(4)} at ` +
            `epoch ${best.epoch + 1} in ${checkpoints.best}`
          : "") +
        `; metrics in ${config.out}/metrics.jsonl. Next: deno task probe -- --weights ` +
        `${checkpoints.best ?? checkpoints.last}`,
    );
  });
}

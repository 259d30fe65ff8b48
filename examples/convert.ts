// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task convert -- --from X.ckpt --to Y.safetensors`: converts a PyTorch checkpoint
 * (`torch.save` zip format, e.g. the tutorial's Lightning `SimCLR.ckpt`) into a safetensors
 * file with the same keys and PyTorch layouts, read with a restricted unpickler that never runs
 * code. Lightning's `hyper_parameters` go into the metadata as JSON.
 *
 * ```sh
 * deno task convert -- --from saved_models/SimCLR.ckpt --to simclr.safetensors
 * deno task convert -- --from SimCLR.ckpt --to encoder.safetensors --strip-prefix convnet.
 * ```
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { selectBackend } from "@simclr/backends";
import { nullIfMissing } from "@simclr/internal/null-if-missing";
import { loadTorchCheckpoint, saveSafetensors } from "@simclr/models";
import { parseFlags, runMain, UsageError } from "./_cli.ts";

async function main(args: string[]): Promise<void> {
  const values = parseFlags(
    "convert",
    "Converts a PyTorch checkpoint (torch.save zip format, including PyTorch Lightning .ckpt " +
      "files) into a safetensors file (keys and PyTorch layouts unchanged; float16/float64 " +
      "become float32, int64 int32). The checkpoint is read without running any of its code.",
    [
      { name: "from", type: "string", help: "The checkpoint to read (required)" },
      { name: "to", type: "string", help: "The safetensors file to write (required; atomic)" },
      {
        name: "strip-prefix",
        type: "string",
        help: 'Keep only keys starting with this and remove it (e.g. "convnet.")',
      },
    ],
    args,
  ) as { from?: string; to?: string; "strip-prefix"?: string };
  const { from, to } = values;
  const prefix = values["strip-prefix"] ?? "";
  if (!from) throw new UsageError("--from is required: the checkpoint to convert");
  if (!to) throw new UsageError("--to is required: the safetensors file to write");
  const info = await nullIfMissing(Deno.stat(from));
  if (info === null) throw new UsageError(`--from ${from}: no such file`);
  if (!info.isFile) throw new UsageError(`--from ${from} is not a file`);
  await selectBackend("cpu", { log: null });
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(from); // CheckpointError names the problem
  const out = new Map<string, tf.Tensor>();
  for (const [key, t] of stateDict) {
    if (key.startsWith(prefix)) out.set(key.slice(prefix.length), t);
  }
  if (out.size === 0) {
    tf.dispose([...stateDict.values()]);
    throw new UsageError(
      `--strip-prefix ${JSON.stringify(prefix)}: no key of ${from} starts with it ` +
        `(keys look like ${JSON.stringify([...stateDict.keys()].slice(0, 3))})`,
    );
  }
  const metadata: Record<string, string> = { format: "pt", source: from };
  if (Object.keys(hyperParameters).length) {
    metadata.hyper_parameters = JSON.stringify(hyperParameters);
  }
  await saveSafetensors(to, out, metadata);
  let scalars = 0;
  for (const t of out.values()) scalars += t.size;
  tf.dispose([...stateDict.values()]);
  console.log(
    `wrote ${to}: ${out.size} tensors, ${scalars.toLocaleString("en-US")} values` +
      (Object.keys(hyperParameters).length
        ? `, hyper-parameters ${JSON.stringify(hyperParameters)}`
        : ""),
  );
}

if (import.meta.main) await runMain(() => main(Deno.args));

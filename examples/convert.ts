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
import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { parseArgs } from "node:util";
import { loadTorchCheckpoint, saveSafetensors } from "@simclr/models";

const HELP = `deno task convert -- --from FILE.ckpt --to FILE.safetensors [--strip-prefix P]

Converts a PyTorch checkpoint (torch.save zip format, including PyTorch Lightning .ckpt files)
into a safetensors file (keys and PyTorch layouts unchanged; float16/float64 become float32,
int64 int32). The checkpoint is read without running any of its code.

  --from FILE          the checkpoint to read (required)
  --to FILE            the safetensors file to write (required; written atomically)
  --strip-prefix P     keep only keys starting with P and remove it (e.g. "convnet.")
  --help               this text`;

/** A mistake in the command line: printed as one line, exit code 2. */
class UsageError extends Error {}

async function main(args: string[]): Promise<void> {
  let values: { from?: string; to?: string; "strip-prefix"?: string; help?: boolean };
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        "strip-prefix": { type: "string" },
        help: { type: "boolean" },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message.replace(/\. To specify a positional.*$/, "")}`);
  }
  if (values.help) {
    console.log(HELP);
    return;
  }
  const { from, to } = values;
  const prefix = values["strip-prefix"] ?? "";
  if (!from) throw new UsageError("--from is required: the checkpoint to convert");
  if (!to) throw new UsageError("--to is required: the safetensors file to write");
  try {
    const info = await Deno.stat(from);
    if (!info.isFile) throw new UsageError(`--from ${from} is not a file`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new UsageError(`--from ${from}: no such file`);
    throw e;
  }
  await tf.setBackend("cpu");
  let checkpoint;
  try {
    checkpoint = await loadTorchCheckpoint(from);
  } catch (e) {
    throw new UsageError(`--from ${from}: ${(e as Error).message}`);
  }
  const { stateDict, hyperParameters } = checkpoint;
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

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`convert: ${e.message}`);
      Deno.exit(2);
    }
    throw e;
  }
}

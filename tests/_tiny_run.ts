// Shared by the tests that run `deno task pretrain` as a command on a tiny run
// (commands_test.ts, faults_test.ts): its data, its flags, and its records to compare runs by.
import { generateDemoData } from "@simclr/datasets";

/**
 * Writes the tiny run's data into `dir`: 64 unlabeled images of 16 px (16 steps per epoch in
 * batches of 4) and one labelled image per class.
 */
export async function writeTinyData(dir: string): Promise<void> {
  await generateDemoData(dir, { trainPerClass: 1, testPerClass: 1, unlabeled: 64, imageSize: 16 });
}

/**
 * `examples/pretrain.ts` flags of the tiny run on `data` into `out`, for `epochs`: width 2,
 * 16 px, batches of 4, cpu, one worker of one thread. A flag of `more` that the tiny run sets
 * replaces its value; the others are added.
 */
export function tinyPretrainFlags(
  data: string,
  out: string,
  more: string[] = [],
  epochs = 2,
): string[] {
  const args = [
    "--data",
    data,
    "--backend",
    "cpu",
    "--image-size",
    "16",
    "--width",
    "2",
    "--batch-size",
    "4",
    "--epochs",
    String(epochs),
    "--workers",
    "1",
    "--threads",
    "1",
    "--out",
    out,
  ];
  for (let i = 0; i < more.length; i++) {
    const at = args.indexOf(more[i]);
    if (at >= 0) args[at + 1] = more[++i];
    else args.push(more[i]);
  }
  return args;
}

/** metrics.jsonl's records without the fields that differ between two runs (timing). */
export async function records(out: string): Promise<Record<string, unknown>[]> {
  const text = await Deno.readTextFile(`${out}/metrics.jsonl`);
  return text.trim().split("\n").map((line) => {
    const { seconds: _s, images_per_second: _i, peak_rss_mib: _p, ...rest } = JSON.parse(line);
    return rest;
  });
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task bench`: SimCLR pretraining throughput (images per second) per tfjs backend and
 * image size, beside the same step in PyTorch on the same machine, with the ratio and the peak
 * resident memory of each run. Each backend, size and configuration runs in a fresh child
 * process (`tools/bench_step.ts`); the backends and their threads x workers configurations are
 * `BENCH_BACKENDS` in `tools/bench_report.ts`. On wasm: 1x1, every core as threads, every core
 * as workers (or `--configs`); the best one's rate is `wasm_<size>_img_per_s` with
 * `wasm_<size>_config`, 1x1's is `wasm_<size>_1thread_img_per_s`, and `speedup_<size>` their
 * ratio. PyTorch runs before and after the tfjs backends; the faster run counts.
 *
 * ```sh
 * deno task bench                                  # cpu, wasm (+ webgpu on a GPU), 32 and 96 px
 * deno task bench --backends wasm --sizes 32 --batch 8 --json
 * deno task bench --backends wasm,native --sizes 96 --batch 64 --profile   # ms per kernel too
 * ```
 *
 * @module
 */
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import type { BenchRun } from "../tools/bench_step.ts";
import { profileStep } from "../tools/bench_profile.ts";
import { BENCH_BACKENDS, benchReport, benchTable, runJsonLine } from "../tools/bench_report.ts";
import { type Flag, parseFlags, runMain, UsageError } from "./_cli.ts";

const FLAGS: Flag[] = [
  { name: "backends", type: "string", help: `Comma-separated: ${Object.keys(BENCH_BACKENDS)}` },
  { name: "sizes", type: "string", default: "32,96", help: "Image sizes, comma-separated" },
  { name: "batch", type: "integer", min: 1, default: 32, help: "Images per view and step" },
  { name: "steps", type: "integer", min: 1, default: 3, help: "Timed steps" },
  { name: "warmup", type: "integer", min: 0, default: 1, help: "Full-size warm-up steps" },
  { name: "budget", type: "number", min: 1, default: 300, help: "Seconds per backend and size" },
  { name: "python", type: "string", default: "/usr/bin/python3", help: "PyTorch's Python" },
  { name: "no-torch", type: "boolean", help: "Skip PyTorch" },
  { name: "torch-device", type: "string", default: "cpu", help: "PyTorch's device" },
  { name: "threads", type: "integer", min: 1, default: 2, help: "PyTorch's threads" },
  { name: "configs", type: "string", help: "Threads x workers of backends with several, 2x1,1x2" },
  { name: "accumulate", type: "integer", min: 1, default: 1, help: "Chunks per batch" },
  {
    name: "width",
    type: "integer",
    min: 1,
    default: 64,
    help: "The ResNet-18's width (PyTorch runs only at torchvision's 64)",
  },
  { name: "profile", type: "boolean", help: "Also ms per kernel of one step (profile_<b>_<size>)" },
  { name: "json", type: "boolean", help: "Print one JSON object instead of the table" },
  { name: "json-out", type: "string", help: "Also write the JSON object to this file" },
];

function list(value: string, name: string): string[] {
  const items = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} is "${value}": expected a list`);
  return items;
}

async function main(): Promise<void> {
  const f = parseFlags("bench", "Pretraining throughput per backend beside PyTorch's.", FLAGS);
  const [batch, steps, warmup, budget] = [f.batch, f.steps, f.warmup, f.budget] as number[];
  const sizes = list(f.sizes as string, "sizes").map(Number);
  if (sizes.some((s) => !Number.isInteger(s) || s < 8)) {
    throw new UsageError(`--sizes is "${f.sizes}": expected integers >= 8`);
  }
  const backends = f.backends !== undefined
    ? list(f.backends as string, "backends")
    : (await Promise.all(
      Object.entries(BENCH_BACKENDS).map(async ([name, b]) => await b.byDefault() ? name : ""),
    )).filter((name) => name !== "");
  for (const b of backends) {
    if (!(b in BENCH_BACKENDS)) {
      throw new UsageError(`--backends has "${b}": expected ${Object.keys(BENCH_BACKENDS)}`);
    }
  }
  const given = f.configs === undefined ? null : list(f.configs as string, "configs").map((c) => {
    const m = c.match(/^(\d+)x(\d+)$/);
    if (!m) throw new UsageError(`--configs has "${c}": expected THREADSxWORKERS, e.g. 2x1`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  });
  const configsOf = (backend: string): [number, number][] => {
    const all = BENCH_BACKENDS[backend].configs;
    if (all === undefined) return [[1, 1]];
    const chosen = given ?? all(navigator.hardwareConcurrency);
    return chosen.filter((c, i) => chosen.findIndex((d) => d[0] === c[0] && d[1] === c[1]) === i);
  };
  const report: Record<string, number | string> = {};
  const childTimeout = budget * 4 + 300;
  const torchRuns: Record<string, number | string>[] = [];
  const runTorch = async (): Promise<void> => {
    // PyTorch's step is torchvision's ResNet-18: at another width there is nothing to compare.
    if (f["no-torch"] || f.width !== 64) return;
    console.error(`torch: ${f.python} tools/bench_torch_step.py (${f["torch-device"]}) ...`);
    const script = new URL("../tools/bench_torch_step.py", import.meta.url).pathname;
    const args = [script, "--sizes", sizes.join(","), "--batch", String(batch)];
    args.push("--steps", String(Math.max(3, steps)), "--warmup", String(Math.max(2, warmup)));
    args.push("--budget", String(budget), "--threads", String(f.threads));
    args.push("--device", String(f["torch-device"]));
    try {
      const run = await runJsonLine(String(f.python), args, childTimeout * sizes.length);
      torchRuns.push(run as Record<string, number | string>);
    } catch (error) {
      report.torch_error = String(error instanceof Error ? error.message : error);
      console.error(`torch: ${report.torch_error}`);
    }
  };
  await runTorch();
  const results: BenchRun[] = [];
  const step = new URL("../tools/bench_step.ts", import.meta.url).pathname;
  for (const backend of backends) {
    for (const size of sizes) {
      for (const [threads, workers] of configsOf(backend)) {
        const what = `${backend} ${size} px, batch 2 x ${batch}, ${threads}x${workers}`;
        console.error(`${what} (threads x workers) ...`);
        const options = { backend, size, batch, steps, warmup, budget, threads, workers };
        const args = Object.entries({ ...options, accumulate: f.accumulate, width: f.width })
          .flatMap(([k, v]) => [`--${k}`, String(v)]);
        try {
          results.push(
            await runJsonLine(
              Deno.execPath(),
              ["run", "-A", step, ...args],
              childTimeout,
            ) as BenchRun,
          );
        } catch (error) {
          const key = `${backend}_${size}_${threads}x${workers}_error`;
          report[key] = String(error instanceof Error ? error.message : error);
          console.error(`${what}: ${report[key]}`);
        }
      }
    }
  }
  await runTorch();
  if (f.profile) {
    for (const backend of backends) {
      for (const size of sizes) {
        Object.assign(report, await profileStep(backend, size, batch, f.width as number));
      }
    }
  }
  benchReport(report, backends, sizes, results, torchRuns);
  if (f["json-out"] !== undefined) {
    await writeFileAtomic(f["json-out"] as string, JSON.stringify(report) + "\n");
  }
  if (f.json) return console.log(JSON.stringify(report));
  const torch = f["no-torch"] ? null : String(f["torch-device"]);
  for (const line of benchTable(report, { backends, sizes, batch, torch })) console.log(line);
}

if (import.meta.main) await runMain(main);

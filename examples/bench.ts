// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task bench`: SimCLR pretraining throughput (images per second) per tfjs backend and
 * image size, beside the same step in PyTorch on the same machine, with the ratio and the peak
 * resident memory of each run.
 *
 * One step = ResNet-18 + projection head (the tutorial's `convnet`, hidden 128) forward on
 * 2 x batch images, InfoNCE (temperature 0.07), backward, AdamW (lr 5e-4, weight decay 1e-4).
 * Each backend, size and configuration runs in a fresh child process (clean peak memory, no
 * shared state). On wasm the configurations are threads x data-parallel workers: 1x1, every
 * core as threads, every core as workers (or `--configs`); the best one's rate is
 * `wasm_<size>_img_per_s` with `wasm_<size>_config`, 1x1's is `wasm_<size>_1thread_img_per_s`,
 * and `speedup_<size>` their ratio.
 *
 * ```sh
 * deno task bench                                  # cpu, wasm (+ webgpu on a GPU), 32 and 96 px
 * deno task bench --backends wasm --sizes 32 --batch 8 --json
 * ```
 *
 * Flags: `--backends cpu,wasm,webgpu` `--sizes 32,96` `--batch 32` (per view) `--steps 3`
 * (timed steps) `--warmup 1` (full-size warm-up steps; skipped when a tiny warm-up predicts
 * one step would not fit the budget) `--budget 300` (seconds per backend and size, timed part)
 * `--python /usr/bin/python3` `--no-torch` `--torch-device cpu|cuda` `--threads 2` (PyTorch's)
 * `--configs 1x1,2x1,1x2` (wasm's threads x workers) `--accumulate K` (each batch in K chunks:
 * gradient caching, for batches that do not fit the device at once) `--json` (print one JSON object instead
 * of the table) `--json-out FILE` (also write it) `--width 64` (the ResNet's; at another
 * width, e.g. the demo preset's 8, PyTorch is not run) `--profile` (ms per kernel of one step per
 * backend and size, `profile_<backend>_<size>`: tools/profile_step.ts). The native backend
 * (oneDNN) runs the same configurations as wasm.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { peakRssMiB } from "@simclr/internal/peak-rss";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { runMain } from "./_cli.ts";
import { profileStep } from "../tools/bench_profile.ts";

const HELP =
  `deno task bench [--backends cpu,wasm,native,webgpu] [--sizes 32,96] [--batch 32] [--width 64]
  [--configs 1x1,2x1,1x2]
  [--steps 3] [--warmup 1] [--budget 300] [--python /usr/bin/python3] [--no-torch]
  [--torch-device cpu] [--threads 2] [--profile] [--json] [--json-out FILE]`;

interface ChildResult {
  backend: string;
  device: string;
  threads: number;
  workers: number;
  accumulate: number;
  size: number;
  batch: number;
  steps: number;
  seconds: number;
  imgPerS: number;
  peakRssMb: number;
  note: string;
  loss: number;
}

function flagList(value: string | undefined, name: string): string[] {
  const list = (value ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (list.length === 0) throw new RangeError(`--${name} is "${value}": expected a list`);
  return list;
}

function positive(value: string, name: string, integer = true): number {
  const n = Number(value);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    throw new RangeError(
      `--${name} is "${value}": expected a positive ${integer ? "integer" : "number"}`,
    );
  }
  return n;
}

/** Runs in the child: one backend, one size, one threads x workers. Prints one JSON line. */
async function child(backend: string, size: number, batch: number, opts: {
  steps: number;
  warmup: number;
  budget: number;
  threads: number;
  workers: number;
  accumulate: number;
  width: number;
}): Promise<void> {
  const { AdamW, ReplicaTrainer } = await import("@simclr/train");
  const { createReplica } = await import("./_simclr_replica.ts");
  const config = {
    backend: backend as "cpu",
    threads: opts.threads,
    hiddenDim: 128,
    width: opts.width,
    stem: "imagenet" as const,
    seed: 42,
    sourceSize: size,
    imageSize: size,
    nViews: 2,
    cropMinScale: 0.08,
    hue: 0.1,
    blurSigma: [0.1, 2] as const,
    temperature: 0.07,
    synthetic: true,
  };
  const replica = await createReplica(config);
  const net = replica.model;
  const optimizer = new AdamW(net.parameters(), {
    lr: 5e-4,
    weightDecay: 1e-4,
    noDecay: [...net.noDecayNames()],
  });
  const trainer = await ReplicaTrainer.start({
    replica,
    optimizer,
    workers: opts.workers,
    accumulate: opts.accumulate,
    module: new URL("./_simclr_replica.ts", import.meta.url),
    config,
    maxBatchSize: batch,
    outputDim: 128,
  });
  const { selectBackend } = await import("@simclr/backends");
  const selected = await selectBackend(backend as "cpu", { log: null, threads: opts.threads });
  // pretrain's step (gradients, AdamW, loss and metrics read back) on random views: a new
  // batch every step (repeating one lets the loss collapse, and denormal gradients slow wasm)
  const step = async (images: number, seed: number): Promise<number> =>
    (await trainer.step(images, () => ({ pixels: new Uint8Array(0), seed }))).loss;

  // Tiny warm-up (2 x max(2, workers) images): initialises the backend's kernels at this size.
  const tinyBatch = Math.max(2, opts.workers);
  let t0 = performance.now();
  await step(tinyBatch, 1);
  const tinySeconds = (performance.now() - t0) / 1000;

  let note = "";
  const predicted = tinySeconds * batch / tinyBatch;
  let warmup = opts.warmup;
  if (warmup > 0 && predicted > opts.budget / 2) {
    warmup = 0;
    note = `no full-size warm-up (a 2x${tinyBatch} step took ${tinySeconds.toFixed(1)} s)`;
  }
  for (let i = 0; i < warmup; i++) await step(batch, 2 + i);
  let steps = 0, loss = NaN;
  t0 = performance.now();
  while (steps < opts.steps) {
    loss = await step(batch, 2 + warmup + steps);
    steps++;
    if ((performance.now() - t0) / 1000 > opts.budget) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  trainer.close();
  if (steps < opts.steps) {
    note = [note, `${steps} of ${opts.steps} timed steps within the ${opts.budget} s budget`]
      .filter((s) => s).join("; ");
  }
  const result: ChildResult = {
    backend: selected.name,
    device: selected.device,
    threads: selected.threads,
    workers: opts.workers,
    accumulate: opts.accumulate,
    size,
    batch,
    steps,
    seconds,
    imgPerS: 2 * batch * steps / seconds,
    peakRssMb: peakRssMiB(),
    note,
    loss,
  };
  console.log(JSON.stringify(result));
}

async function runJsonLine(cmd: string, args: string[], timeoutS: number): Promise<unknown> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutS * 1000);
  try {
    const out = await new Deno.Command(cmd, {
      args,
      stdout: "piped",
      stderr: "piped",
      signal: ac.signal,
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim().split("\n").filter((l) =>
      l.startsWith("{")
    );
    if (!out.success || text.length === 0) {
      const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-5).join(" | ");
      throw new Error(`${cmd} ${args.join(" ")} failed (code ${out.code}): ${err}`);
    }
    return JSON.parse(text[text.length - 1]);
  } catch (error) {
    if (ac.signal.aborted) throw new Error(`${cmd} ${args.join(" ")} ran past ${timeoutS} s`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

async function hardwareGpu(): Promise<boolean> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return false;
  // Deno's WebGPU (wgpu on Vulkan) refuses to start without a runtime directory
  if (!Deno.env.get("XDG_RUNTIME_DIR")) Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync());
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return false;
    const info = adapter.info;
    return !/llvmpipe|lavapipe|swiftshader|software/i.test(
      `${info.vendor} ${info.architecture} ${info.device} ${info.description}`,
    );
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  // `deno task bench -- --flag` hands the script the `--` too.
  const args = Deno.args[0] === "--" ? Deno.args.slice(1) : Deno.args;
  const { values } = parseArgs({
    args,
    options: {
      backends: { type: "string" },
      sizes: { type: "string", default: "32,96" },
      batch: { type: "string", default: "32" },
      steps: { type: "string", default: "3" },
      warmup: { type: "string", default: "1" },
      budget: { type: "string", default: "300" },
      python: { type: "string", default: "/usr/bin/python3" },
      "no-torch": { type: "boolean", default: false },
      "torch-device": { type: "string", default: "cpu" },
      threads: { type: "string", default: "2" },
      configs: { type: "string" },
      "child-threads": { type: "string", default: "1" },
      "child-workers": { type: "string", default: "1" },
      width: { type: "string", default: "64" },
      accumulate: { type: "string", default: "1" },
      json: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      "json-out": { type: "string" },
      child: { type: "string" },
      size: { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const batch = positive(values.batch, "batch");
  const steps = positive(values.steps, "steps");
  const warmup = Number(values.warmup);
  if (!(Number.isInteger(warmup) && warmup >= 0)) {
    throw new RangeError(`--warmup is "${values.warmup}": expected an integer >= 0`);
  }
  const budget = positive(values.budget, "budget", false);
  if (values.child !== undefined) {
    await child(values.child, positive(values.size ?? "", "size"), batch, {
      steps,
      warmup,
      budget,
      threads: positive(values["child-threads"], "child-threads"),
      workers: positive(values["child-workers"], "child-workers"),
      width: positive(values.width, "width"),
      accumulate: positive(values.accumulate, "accumulate"),
    });
    return;
  }
  const sizes = flagList(values.sizes, "sizes").map((s) => positive(s, "sizes"));
  const backends = values.backends !== undefined
    ? flagList(values.backends, "backends")
    : ["cpu", "wasm", "native", ...(await hardwareGpu() ? ["webgpu"] : [])];
  for (const b of backends) {
    if (!["cpu", "wasm", "native", "webgpu", "tensorflow"].includes(b)) {
      throw new RangeError(
        `--backends has "${b}": expected cpu, wasm, native, webgpu or tensorflow`,
      );
    }
  }
  const log = (line: string) => console.error(line);
  const report: Record<string, number | string> = {};
  const self = new URL(import.meta.url).pathname;
  const childTimeout = budget * 4 + 300;

  // PyTorch runs before and after the tfjs backends (at least 2 warm-up and 3 timed steps);
  // the faster of the two runs counts (the machine may be shared: keeps the ratios conservative).
  const torchRuns: Record<string, number | string>[] = [];
  const runTorch = async (): Promise<void> => {
    // PyTorch's step is torchvision's ResNet-18: at another width there is nothing to compare
    if (values["no-torch"] || values.width !== "64") return;
    log(`torch: ${values.python} tools/bench_torch_step.py (${values["torch-device"]}) ...`);
    try {
      torchRuns.push(
        await runJsonLine(values.python, [
          new URL("../tools/bench_torch_step.py", import.meta.url).pathname,
          "--sizes",
          sizes.join(","),
          "--batch",
          String(batch),
          "--steps",
          String(Math.max(3, steps)),
          "--warmup",
          String(Math.max(2, warmup)),
          "--budget",
          String(budget),
          "--threads",
          values.threads,
          "--device",
          values["torch-device"],
        ], childTimeout * sizes.length) as Record<string, number | string>,
      );
    } catch (error) {
      report.torch_error = String(error instanceof Error ? error.message : error);
      log(`torch: ${report.torch_error}`);
    }
  };
  await runTorch();
  const results: ChildResult[] = [];
  // wasm runs one thread and one worker, then every core as threads, then as workers (or the
  // --configs given, "threads x workers"); the other backends run as they come.
  const cores = navigator.hardwareConcurrency;
  const configsOf = (backend: string): [number, number][] => {
    if (backend !== "wasm" && backend !== "native") return [[1, 1]];
    const given = values.configs !== undefined
      ? flagList(values.configs, "configs").map((c) => {
        const m = c.match(/^(\d+)x(\d+)$/);
        if (!m) throw new RangeError(`--configs has "${c}": expected THREADSxWORKERS, e.g. 2x1`);
        return [Number(m[1]), Number(m[2])] as [number, number];
      })
      : [[1, 1], [cores, 1], [1, cores]] as [number, number][];
    return given.filter((c, i) => given.findIndex((d) => d[0] === c[0] && d[1] === c[1]) === i);
  };
  for (const backend of backends) {
    for (const size of sizes) {
      for (const [threads, workers] of configsOf(backend)) {
        log(
          `${backend} ${size} px, batch 2 x ${batch}, ${threads} threads x ${workers} workers ...`,
        );
        try {
          const r = await runJsonLine(Deno.execPath(), [
            "run",
            "-A",
            self,
            "--child",
            backend,
            "--size",
            String(size),
            "--batch",
            String(batch),
            "--steps",
            String(steps),
            "--warmup",
            String(warmup),
            "--budget",
            String(budget),
            "--child-threads",
            String(threads),
            "--width",
            values.width,
            "--child-workers",
            String(workers),
            "--accumulate",
            values.accumulate,
          ], childTimeout) as ChildResult;
          results.push(r);
        } catch (error) {
          const key = `${backend}_${size}_${threads}x${workers}_error`;
          report[key] = String(error instanceof Error ? error.message : error);
          log(`${backend} ${size} ${threads}x${workers}: ${report[key]}`);
        }
      }
    }
  }
  await runTorch();
  for (const run of torchRuns) {
    for (const [k, v] of Object.entries(run)) {
      const m = k.match(/^torch_(\d+)_img_per_s$/);
      if (m && typeof v === "number") {
        const runs = (report[`torch_${m[1]}_img_per_s_runs`] as string | undefined) ?? "";
        report[`torch_${m[1]}_img_per_s_runs`] = runs ? `${runs}, ${v}` : String(v);
        if (!(typeof report[k] === "number" && (report[k] as number) >= v)) report[k] = v;
      } else if (!k.startsWith("torch_") || !/_(steps|seconds)$/.test(k)) {
        report[k] = typeof v === "number" && typeof report[k] === "number"
          ? Math.max(v, report[k] as number)
          : v;
      }
    }
  }
  // Per backend and size: the best configuration's figures under the plain keys; for wasm also
  // each configuration's rate, one thread and one worker, and the speed-up over it.
  for (const backend of backends) {
    for (const size of sizes) {
      const runs = results.filter((r) => r.backend === backend && r.size === size);
      if (runs.length === 0) continue;
      const key = `${backend}_${size}`;
      const best = runs.reduce((a, b) => (b.imgPerS > a.imgPerS ? b : a));
      report[`${key}_img_per_s`] = round(best.imgPerS);
      report[`${key}_steps`] = best.steps;
      report[`${key}_seconds`] = round(best.seconds);
      report[`${key}_peak_rss_mb`] = round(best.peakRssMb, 1);
      report[`${key}_device`] = best.device;
      if (best.note) report[`${key}_note`] = best.note;
      if (best.accumulate > 1) report[`${key}_accumulate`] = best.accumulate;
      const torch = report[`torch_${size}_img_per_s`];
      if (typeof torch === "number") report[`ratio_${key}`] = round(best.imgPerS / torch, 4);
      if (backend !== "wasm" && backend !== "native") continue;
      report[`${key}_config`] = `${best.threads}x${best.workers}`;
      for (const r of runs) report[`${key}_${r.threads}x${r.workers}_img_per_s`] = round(r.imgPerS);
      const single = runs.find((r) => r.threads === 1 && r.workers === 1);
      if (single) {
        report[`${key}_1thread_img_per_s`] = round(single.imgPerS);
        report[`speedup_${size}`] = round(best.imgPerS / single.imgPerS, 3);
      }
    }
  }
  if (values.profile) {
    for (const backend of backends) {
      for (const size of sizes) {
        Object.assign(report, await profileStep(backend, size, batch, Number(values.width)));
      }
    }
  }
  if (values["json-out"] !== undefined) {
    const path = values["json-out"];
    await writeFileAtomic(path, JSON.stringify(report) + "\n");
  }
  if (values.json) {
    console.log(JSON.stringify(report));
    return;
  }
  const rows = [["backend", "size", "img/s", "x PyTorch", "peak RSS MB", "steps", "note"]];
  for (const size of sizes) {
    if (!values["no-torch"]) {
      rows.push([
        `torch (${report.torch_device ?? values["torch-device"]})`,
        String(size),
        String(report[`torch_${size}_img_per_s`] ?? "-"),
        "1",
        String(report.torch_peak_rss_mb ?? "-"),
        "-",
        String(report.torch_error ?? `runs: ${report[`torch_${size}_img_per_s_runs`] ?? "-"}`),
      ]);
    }
    for (const backend of backends) {
      const key = `${backend}_${size}`;
      const config = report[`${key}_config`];
      rows.push([
        config === undefined ? backend : `${backend} (${config})`,
        String(size),
        String(report[`${key}_img_per_s`] ?? "-"),
        String(report[`ratio_${key}`] ?? "-"),
        String(report[`${key}_peak_rss_mb`] ?? "-"),
        String(report[`${key}_steps`] ?? "-"),
        String(report[`${key}_error`] ?? report[`${key}_note`] ?? report[`${key}_device`] ?? ""),
      ]);
    }
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`SimCLR pretraining step, ResNet-18, batch 2 x ${batch}`);
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  for (const size of sizes) {
    if (report[`speedup_${size}`] === undefined) continue;
    console.log(
      `wasm ${size} px: ${
        report[`wasm_${size}_1thread_img_per_s`]
      } img/s on 1 thread x 1 worker, ` +
        `${report[`wasm_${size}_img_per_s`]} on ${report[`wasm_${size}_config`]} (threads x ` +
        `workers): ${report[`speedup_${size}`]}x`,
    );
  }
}

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

if (import.meta.main) await runMain(main);

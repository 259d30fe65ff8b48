// Copyright 2026 the simclr authors. MIT license.
// `deno task bench`'s parts besides the measurement (tools/bench_step.ts): the backends it
// knows, how each is run, the child processes, and the report's keys and table.
import type { BenchRun } from "./bench_step.ts";

/** A backend the bench measures: whether it runs by default, and its threads x workers. */
export interface BenchBackend {
  /** Whether it is measured without `--backends` (may probe the machine). */
  byDefault: () => boolean | Promise<boolean>;
  /**
   * Its configurations, threads x workers, given the cores (default: one, 1x1). With more than
   * one, the report adds `<backend>_<size>_config` and each configuration's rate.
   */
  configs?: (cores: number) => [number, number][];
}

/** Every backend the bench knows, in the order it runs them. A new one is one entry here. */
export const BENCH_BACKENDS: Record<string, BenchBackend> = {
  cpu: { byDefault: () => true },
  wasm: { byDefault: () => true, configs: (cores) => [[1, 1], [cores, 1], [1, cores]] },
  // oneDNN's kernels on wasm's tensors: the same threads x workers choices as wasm.
  native: { byDefault: () => true, configs: (cores) => [[1, 1], [cores, 1], [1, cores]] },
  webgpu: { byDefault: hardwareGpu },
  tensorflow: { byDefault: () => false },
};

/** Runs a command and parses the last line of its stdout that starts with `{`. */
export async function runJsonLine(cmd: string, args: string[], timeoutS: number): Promise<unknown> {
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

/** Whether a hardware GPU is reachable through WebGPU (not a software rasteriser). */
export async function hardwareGpu(): Promise<boolean> {
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

function round(v: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * Adds PyTorch's runs (the faster of each size's counts) and every backend's best
 * configuration under the plain keys to `report`: `<backend>_<size>_img_per_s`, `_steps`,
 * `_seconds`, `_peak_rss_mb`, `_device`, `ratio_<backend>_<size>` (over PyTorch's); for a
 * backend of several configurations, `_config` and each one's rate; for wasm, its one-thread
 * rate `_1thread_img_per_s` and `speedup_<size>`.
 */
export function benchReport(
  report: Record<string, number | string>,
  backends: readonly string[],
  sizes: readonly number[],
  results: readonly BenchRun[],
  torchRuns: readonly Record<string, number | string>[],
): Record<string, number | string> {
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
      if (BENCH_BACKENDS[backend]?.configs === undefined) continue;
      report[`${key}_config`] = `${best.threads}x${best.workers}`;
      for (const r of runs) report[`${key}_${r.threads}x${r.workers}_img_per_s`] = round(r.imgPerS);
      const single = runs.find((r) => r.threads === 1 && r.workers === 1);
      if (single && backend === "wasm") {
        report[`${key}_1thread_img_per_s`] = round(single.imgPerS);
        report[`speedup_${size}`] = round(best.imgPerS / single.imgPerS, 3);
      }
    }
  }
  return report;
}

/** The report as the table `deno task bench` prints. */
export function benchTable(
  report: Record<string, number | string>,
  options: {
    backends: readonly string[];
    sizes: readonly number[];
    batch: number;
    torch: string | null;
  },
): string[] {
  const rows = [["backend", "size", "img/s", "x PyTorch", "peak RSS MB", "steps", "note"]];
  for (const size of options.sizes) {
    if (options.torch !== null) {
      rows.push([
        `torch (${report.torch_device ?? options.torch})`,
        String(size),
        String(report[`torch_${size}_img_per_s`] ?? "-"),
        "1",
        String(report.torch_peak_rss_mb ?? "-"),
        "-",
        String(report.torch_error ?? `runs: ${report[`torch_${size}_img_per_s_runs`] ?? "-"}`),
      ]);
    }
    for (const backend of options.backends) {
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
  const lines = [`SimCLR pretraining step, ResNet-18, batch 2 x ${options.batch}`];
  for (const r of rows) lines.push(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  for (const size of options.sizes) {
    if (report[`speedup_${size}`] === undefined) continue;
    lines.push(
      `wasm ${size} px: ${report[`wasm_${size}_1thread_img_per_s`]} img/s on 1 thread x 1 ` +
        `worker, ${report[`wasm_${size}_img_per_s`]} on ${report[`wasm_${size}_config`]} ` +
        `(threads x workers): ${report[`speedup_${size}`]}x`,
    );
  }
  return lines;
}

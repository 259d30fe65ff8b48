import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { registerFastConvGradients } from "./conv_gradients.ts";
import { registerFastCpuKernels } from "./cpu_conv_kernels.ts";
import { registerWasmKernelFixes } from "./wasm_kernels.ts";
import { withWasmThreads } from "./_wasm_threads.ts";
import { openDnnl } from "./_dnnl.ts";
import { registerNativeBackend } from "./_native_kernels.ts";

/** A backend that {@linkcode selectBackend} can be asked for. */
export type BackendRequest = "auto" | "tensorflow" | "webgpu" | "native" | "wasm" | "cpu";

/** A backend actually in use. */
export type BackendName = Exclude<BackendRequest, "auto">;

/** The outcome of {@linkcode selectBackend}. */
export interface SelectedBackend {
  /** The backend now active in tfjs. */
  name: BackendName;
  /** What it runs on, e.g. `"NVIDIA H100 (nvidia, hopper)"` or `"CPU, SIMD, 2 threads"`. */
  device: string;
  /** Threads the backend computes with (`native`, `wasm`; 1 on the others). */
  threads: number;
  /** Backends tried before it (for `"auto"`), each with why it was not used. */
  skipped: { name: BackendName; reason: string }[];
  /** The one line logged: the backend, the device and why earlier ones were skipped. */
  line: string;
}

/** Options of {@linkcode selectBackend}. */
export interface SelectBackendOptions {
  /** Where the one summary line goes. Default `console.error`; `null` logs nothing. */
  log?: ((line: string) => void) | null;
  /**
   * Threads of the `wasm` backend (XNNPACK's pool: convolutions and matrix products; element-
   * wise ops stay on one). Default: every core (`navigator.hardwareConcurrency`). The count is
   * fixed when wasm first starts in a process.
   */
  threads?: number;
}

/** Raised when a backend asked for by name cannot be used; the message says why. */
export class BackendUnavailableError extends Error {
  /**
   * Builds the message from the backend and the reason.
   *
   * @param backend The backend that was asked for.
   * @param reason Why it cannot be used.
   */
  constructor(readonly backend: BackendName, reason: string) {
    super(`backend "${backend}" is not available: ${reason}`);
    this.name = "BackendUnavailableError";
  }
}

const ORDER: BackendName[] = ["tensorflow", "webgpu", "native", "wasm", "cpu"];
const REQUESTS: BackendRequest[] = ["auto", ...ORDER];

/**
 * Chooses, loads and activates a tfjs backend.
 *
 * `"auto"` tries, in order: `tfjs-node-gpu` then `tfjs-node` (libtensorflow, when installed in
 * the project's `node_modules`), WebGPU on a hardware adapter (Deno's built-in
 * `navigator.gpu`), the native CPU backend (oneDNN, when `libdnnl.so.2` opens), WASM (SIMD) and
 * CPU, loading each by dynamic import, and logs one line
 * naming the backend in use, its device and why each earlier one was skipped. A software WebGPU
 * adapter (such as Mesa's llvmpipe) is skipped by `"auto"` because WASM is faster on the same
 * CPU; ask for `"webgpu"` by name to use it anyway.
 *
 * On `wasm` and `cpu` it also registers the fast convolution-gradient kernels (built from
 * forward convolutions and im2col matmuls) that let them train at all (`wasm` has no
 * `Conv2DBackpropFilter`) and quickly (`cpu`'s own are naive loops), and fixes for `wasm`
 * kernels that give wrong results.
 *
 * `native` is tfjs-wasm's tensors and memory with oneDNN's kernels (Intel's deep-learning
 * library, what PyTorch runs on CPU) for the ops that carry a training step's time:
 * convolutions and their gradients, max pooling, matrix products and BatchNorm, called through
 * Deno's FFI on the wasm heap in place. It looks for `libdnnl.so.2` by the usual names and
 * paths, or at `$SIMCLR_DNNL`; `threads` sets both oneDNN's OpenMP threads and wasm's pool.
 *
 * A backend asked for by name that cannot be used is a {@linkcode BackendUnavailableError}
 * saying why: never a silent fallback.
 *
 * @param request `"auto"` (default) or a backend name.
 * @param options Where to log the summary line.
 * @returns The backend in use, its device, and what was skipped.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@simclr/backends";
 * import assert from "node:assert/strict";
 *
 * const backend = await selectBackend("cpu", { log: null });
 * assert.equal(backend.line, "backend: cpu (CPU, JavaScript kernels)");
 * ```
 */
export async function selectBackend(
  request: BackendRequest = "auto",
  options: SelectBackendOptions = {},
): Promise<SelectedBackend> {
  if (!REQUESTS.includes(request)) {
    throw new RangeError(
      argumentMessage(
        "selectBackend()",
        `request is ${show(request)}`,
        `one of ${REQUESTS.map(show).join(", ")}`,
      ),
    );
  }
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  const threads = checkInteger(
    "selectBackend()",
    "options.threads",
    options.threads ?? navigator.hardwareConcurrency,
    { min: 1 },
  );
  const skipped: { name: BackendName; reason: string }[] = [];
  const candidates = request === "auto" ? ORDER : [request];
  for (const name of candidates) {
    const outcome = await LOADERS[name](request === "auto", threads);
    if ("device" in outcome) {
      const skips = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
      const line = `backend: ${name} (${outcome.device})` + (skips ? `; skipped ${skips}` : "");
      log?.(line);
      return { name, device: outcome.device, threads: outcome.threads ?? 1, skipped, line };
    }
    if (request !== "auto") throw new BackendUnavailableError(name, outcome.reason);
    skipped.push({ name, reason: outcome.reason });
  }
  // Unreachable in practice: the CPU backend ships with the package.
  throw new BackendUnavailableError("cpu", skipped.map((s) => `${s.name}: ${s.reason}`).join("; "));
}

type Outcome = { device: string; threads?: number } | { reason: string };

const LOADERS: Record<BackendName, (auto: boolean, threads: number) => Promise<Outcome>> = {
  tensorflow: loadTensorflow,
  webgpu: loadWebGPU,
  native: loadNative,
  wasm: loadWasm,
  cpu: loadCpu,
};

async function activate(name: string): Promise<string | null> {
  try {
    if (!(await tf.setBackend(name))) return `tfjs could not initialise the ${name} backend`;
    await tf.ready();
  } catch (error) {
    return `initialising it failed: ${errorMessage(error)}`;
  }
  return tf.getBackend() === name ? null : `tfjs activated "${tf.getBackend()}" instead`;
}

async function loadTensorflow(): Promise<Outcome> {
  const reasons: string[] = [];
  for (
    const [pkg, device] of [
      ["@tensorflow/tfjs-node-gpu", "libtensorflow, CUDA GPU"],
      ["@tensorflow/tfjs-node", "libtensorflow, CPU"],
    ]
  ) {
    // These packages need their install script (it downloads libtensorflow), so they are never
    // fetched on the fly: only a copy installed in the project's node_modules is used.
    const installed = await exists(`${Deno.cwd()}/node_modules/${pkg}/package.json`);
    if (!installed) {
      reasons.push(`${pkg} is not installed in ./node_modules`);
      continue;
    }
    try {
      const specifier = `npm:${pkg}@${tf.version_core}`;
      await import(specifier);
    } catch (error) {
      reasons.push(`${pkg} failed to load: ${errorMessage(error)}`);
      continue;
    }
    const failure = await activate("tensorflow");
    if (failure === null) return { device };
    reasons.push(`${pkg}: ${failure}`);
  }
  const notInstalled = reasons.every((r) => r.endsWith("is not installed in ./node_modules"));
  return {
    reason: notInstalled
      ? "neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed in " +
        `./node_modules (deno add npm:@tensorflow/tfjs-node-gpu@${tf.version_core} ` +
        "--allow-scripts; see the README)"
      : reasons.join("; "),
  };
}

async function loadWebGPU(auto: boolean): Promise<Outcome> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { reason: "navigator.gpu is missing in this runtime" };
  ensureRuntimeDir();
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { reason: `requesting an adapter failed: ${errorMessage(error)}` };
  }
  if (!adapter) {
    return {
      reason: "no WebGPU adapter (no GPU driver; on Debian: apt-get install mesa-vulkan-drivers)",
    };
  }
  const device = describeAdapter(adapter);
  if (auto && isSoftwareAdapter(adapter)) {
    return { reason: `the only adapter is software rendering (${device}), slower than wasm` };
  }
  try {
    await import("@tensorflow/tfjs-backend-webgpu");
  } catch (error) {
    return { reason: `@tensorflow/tfjs-backend-webgpu failed to load: ${errorMessage(error)}` };
  }
  registerFastConvGradients(["webgpu"]);
  const failure = await activate("webgpu");
  return failure === null ? { device } : { reason: failure };
}

async function loadWasm(_auto: boolean, threads: number): Promise<Outcome> {
  let wasm: typeof import("@tensorflow/tfjs-backend-wasm");
  try {
    wasm = await import("@tensorflow/tfjs-backend-wasm");
  } catch (error) {
    return { reason: `@tensorflow/tfjs-backend-wasm failed to load: ${errorMessage(error)}` };
  }
  registerFastConvGradients(["wasm"]);
  registerWasmKernelFixes();
  let failure: string | null;
  let note = "";
  if (wasmThreads(wasm) === null && threads > 1) {
    // The first start in this process: the pool's size is fixed now.
    failure = await withWasmThreads(threads, wasm.setThreadsCount, () => activate("wasm"));
  } else {
    failure = await activate("wasm");
  }
  if (failure !== null) return { reason: failure };
  const running = wasmThreads(wasm) ?? 1;
  if (running !== threads) {
    note = `; ${threads} asked, but the pool is fixed when wasm first starts`;
  }
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  return {
    device: `CPU, ${simd ? "SIMD" : "no SIMD"}, ${running} thread${running > 1 ? "s" : ""}${note}`,
    threads: running,
  };
}

async function loadNative(auto: boolean, threads: number): Promise<Outcome> {
  const opened = openDnnl(threads);
  if ("reason" in opened) return opened;
  const wasm = await loadWasm(auto, threads);
  if ("reason" in wasm) {
    return { reason: `it runs on the wasm backend, which failed: ${wasm.reason}` };
  }
  try {
    registerNativeBackend(opened.dnnl);
  } catch (error) {
    return { reason: `registering its kernels failed: ${errorMessage(error)}` };
  }
  const failure = await activate("native");
  if (failure !== null) return { reason: failure };
  const { version, path } = opened.dnnl;
  return {
    device: `CPU, oneDNN ${version} (${path}), ${threads} thread${threads > 1 ? "s" : ""}; ` +
      `tensors on wasm (${wasm.device})`,
    threads,
  };
}

/** The wasm backend's threads, or `null` while it has not started in this process. */
function wasmThreads(wasm: typeof import("@tensorflow/tfjs-backend-wasm")): number | null {
  try {
    return wasm.getThreadsCount();
  } catch {
    return null; // "WASM backend not initialized."
  }
}

async function loadCpu(): Promise<Outcome> {
  await import("@tensorflow/tfjs-backend-cpu");
  registerFastCpuKernels();
  const failure = await activate("cpu");
  if (failure !== null) return { reason: failure };
  // The CPU backend greets its first tensor with advice to install tfjs-node; selectBackend
  // has already said why that one is not in use.
  (tf.findBackend("cpu") as unknown as { firstUse?: boolean }).firstUse = false;
  return { device: "CPU, JavaScript kernels" };
}

function describeAdapter(adapter: GPUAdapter): string {
  const info = adapter.info;
  const name = info.description || info.device || "unnamed adapter";
  const details = [info.vendor, info.architecture].filter(Boolean).join(", ");
  return details ? `${name} (${details})` : name;
}

function isSoftwareAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  // Recent WebGPU exposes `info.isFallbackAdapter`; older Deno only names the driver.
  const fallback = (info as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return fallback || /llvmpipe|lavapipe|swiftshader|software|cpu/i.test(text);
}

/** Mesa's Vulkan driver refuses to start without XDG_RUNTIME_DIR; give it a private one. */
function ensureRuntimeDir(): void {
  try {
    if (!Deno.env.get("XDG_RUNTIME_DIR")) {
      Deno.env.set("XDG_RUNTIME_DIR", Deno.makeTempDirSync({ prefix: "simclr-xdg-" }));
    }
  } catch {
    // Without env or write permission WebGPU may still work; the adapter request will tell.
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

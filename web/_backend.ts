// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// The page's backend: WebGPU where the browser has an adapter, else WebGL, else wasm (the
// order of speed on a visitor's machine), each skipped with the reason shown. `?backend=NAME`
// asks for one by name (an error when it cannot start, as `selectBackend` does under Deno).
// `selectBackend` itself is not used here: it loads tfjs-node and sets Deno's environment.
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-webgpu";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { registerFastConvGradients } from "@simclr/backends/conv-gradients";
import { registerWasmKernelFixes } from "@simclr/backends/wasm-kernels";

/** A backend the page can run on. */
export type PageBackend = "webgpu" | "webgl" | "wasm" | "cpu";

/** The backend in use and why the faster ones were skipped. */
export interface PageBackendInfo {
  name: PageBackend;
  device: string;
  skipped: { name: PageBackend; reason: string }[];
  /** One line for the page: the backend, its device and the skipped ones with reasons. */
  line: string;
}

const ORDER: PageBackend[] = ["webgpu", "webgl", "wasm"];

/**
 * Starts a backend: `request` by name, or the first of WebGPU, WebGL and wasm that starts.
 * `wasmThreads` sets the wasm pool (default: every core; threads need a cross-origin isolated
 * page, which `deno task serve` gives).
 */
export async function startPageBackend(
  request: PageBackend | "auto" = "auto",
  wasmThreads?: number,
): Promise<PageBackendInfo> {
  const skipped: { name: PageBackend; reason: string }[] = [];
  for (const name of request === "auto" ? ORDER : [request]) {
    const outcome = await LOADERS[name](wasmThreads, request === "auto");
    if ("device" in outcome) {
      const skips = skipped.map((s) => `${s.name}: ${s.reason}`).join("; ");
      const line = `${name} (${outcome.device})` + (skips ? `; skipped ${skips}` : "");
      return { name, device: outcome.device, skipped, line };
    }
    if (request !== "auto") {
      throw new Error(`backend "${name}" is not available: ${outcome.reason}`);
    }
    skipped.push({ name, reason: outcome.reason });
  }
  throw new Error(`no backend started: ${skipped.map((s) => `${s.name}: ${s.reason}`).join("; ")}`);
}

type Outcome = { device: string } | { reason: string };

const LOADERS: Record<PageBackend, (threads?: number, auto?: boolean) => Promise<Outcome>> = {
  webgpu: loadWebGPU,
  webgl: loadWebGL,
  wasm: loadWasm,
  cpu: async () => (await activate("cpu")) ?? { device: "CPU, JavaScript kernels" },
};

async function activate(name: string): Promise<{ reason: string } | null> {
  try {
    if (!(await tf.setBackend(name))) return { reason: `tfjs could not initialise ${name}` };
    await tf.ready();
  } catch (error) {
    return { reason: `initialising it failed: ${message(error)}` };
  }
  return tf.getBackend() === name ? null : { reason: `tfjs activated ${tf.getBackend()}` };
}

async function loadWebGPU(_threads?: number, auto = false): Promise<Outcome> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return { reason: "this browser has no navigator.gpu" };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { reason: `requesting an adapter failed: ${message(error)}` };
  }
  if (!adapter) return { reason: "no WebGPU adapter (GPU disabled or unsupported)" };
  const info = adapter.info;
  const device = [info.description || info.device || info.vendor || "adapter", info.architecture]
    .filter(Boolean).join(", ");
  const fallback = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  if (auto && (fallback || isSoftwareRenderer(device))) {
    return { reason: `the only adapter is software rendering (${device}), slower than wasm` };
  }
  registerFastConvGradients(["webgpu"]);
  return (await activate("webgpu")) ?? { device };
}

async function loadWebGL(_threads?: number, auto = false): Promise<Outcome> {
  const gl = document.createElement("canvas").getContext("webgl2");
  const ext = gl?.getExtension("WEBGL_debug_renderer_info");
  const renderer = gl && ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : "WebGL";
  // As selectBackend skips a software WebGPU adapter: a CPU emulating a GPU trains far slower
  // than wasm on the same CPU (SwiftShader here: no SimCLR step within minutes).
  if (auto && isSoftwareRenderer(renderer)) {
    return { reason: `software rendering (${renderer}), slower than wasm` };
  }
  const failure = await activate("webgl");
  if (failure) return failure;
  return { device: `${renderer}, WebGL ${tf.env().getNumber("WEBGL_VERSION")}` };
}

async function loadWasm(asked?: number): Promise<Outcome> {
  wasm.setWasmPaths(new URL("wasm/", location.href).href);
  // every core, as selectBackend's default, where the page may use threads at all
  const threads = asked ?? (crossOriginIsolated ? navigator.hardwareConcurrency || 1 : 1);
  wasm.setThreadsCount(threads);
  // One thread: the plain binary, not the threaded one with one thread. The threaded one
  // starts a pool of pthread workers first, and while the main thread waits on them headless
  // Chromium's virtual time runs on (hundreds of virtual seconds in tens of real ms), so
  // `--virtual-time-budget` could end before the page had started.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", threads > 1 && crossOriginIsolated);
  registerFastConvGradients(["wasm"]);
  registerWasmKernelFixes();
  // The native side caps its pool at half the logical cores it is told of (1 on two cores)
  // whatever setThreadsCount asks, as under Deno (backends/_wasm_threads.ts): while the
  // backend starts, the page reports twice the threads wanted.
  const cores = Object.getOwnPropertyDescriptor(navigator, "hardwareConcurrency");
  if (threads > 1) {
    Object.defineProperty(navigator, "hardwareConcurrency", {
      get: () => 2 * threads,
      configurable: true,
    });
  }
  let failure: { reason: string } | null;
  try {
    failure = await activate("wasm");
  } finally {
    if (cores) Object.defineProperty(navigator, "hardwareConcurrency", cores);
    else delete (navigator as { hardwareConcurrency?: number }).hardwareConcurrency;
  }
  if (failure) return failure;
  const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT");
  const n = wasm.getThreadsCount();
  const why = crossOriginIsolated ? "" : " (not cross-origin isolated: no threads)";
  return { device: `CPU, ${simd ? "SIMD" : "no SIMD"}, ${n} thread${n > 1 ? "s" : ""}${why}` };
}

function isSoftwareRenderer(name: string): boolean {
  return /swiftshader|llvmpipe|lavapipe|software/i.test(name);
}

function message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

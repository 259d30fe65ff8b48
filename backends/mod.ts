// Copyright 2026 the simclr authors. MIT license.
/**
 * tfjs backends for SimCLR: choosing one ({@linkcode selectBackend}) and everything that
 * registers kernels or configures a backend. This is the only package that changes tfjs's
 * global kernel registry, and it does so only when asked (`selectBackend`, or a `register*`
 * call): importing any `@simclr` package registers nothing.
 *
 * - {@linkcode selectBackend}: `"auto"` or a backend by name, with one log line naming the
 *   backend, its device and why earlier ones were skipped; a backend asked for by name that
 *   cannot start is a {@linkcode BackendUnavailableError}. `"native"` is the native CPU
 *   backend: tfjs-wasm's tensors with oneDNN's kernels (libdnnl.so.2 through Deno's FFI).
 * - {@linkcode registerFastConvGradients}: convolution gradients as forward convolutions, which
 *   `wasm` lacks (it cannot train without them).
 * - {@linkcode registerFastCpuKernels}: im2col + matmul convolutions for `cpu`.
 * - {@linkcode registerWasmKernelFixes}: `wasm` kernels that give wrong results in tfjs 4.22.0;
 *   {@linkcode registerFastWasmMatMul}: its matrix products with a transposed operand, fast.
 * - {@linkcode conv2dFilterGradient}, {@linkcode conv2dInputGradient}: the gradients as ops.
 *
 * `selectBackend` registers what the chosen backend needs; the `register*` functions are for
 * callers that set backends themselves.
 *
 * @example
 * ```ts
 * import { selectBackend } from "@simclr/backends";
 * import assert from "node:assert/strict";
 *
 * const backend = await selectBackend("cpu", { log: null });
 * assert.equal(backend.name, "cpu");
 * assert.equal(backend.line, "backend: cpu (CPU, JavaScript kernels)");
 * ```
 *
 * @module
 */
export * from "./select_backend.ts";
export * from "./native_available.ts";
export * from "./conv_gradients.ts";
export * from "./conv_backprop.ts";
export * from "./cpu_conv_kernels.ts";
export * from "./wasm_kernels.ts";

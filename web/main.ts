// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
/**
 * The page's entry point (`deno task web` bundles it to `web/dist/app.js`): starts a backend,
 * then the three panels. Query parameters: `backend=webgpu|webgl|wasm|cpu`, `threads=N` (wasm),
 * `demo=1` (run the scripted path and set `<body data-status="ready">`).
 *
 * @module
 */
import { type PageBackend, startPageBackend } from "./_backend.ts";
import { byId, errorMessage, log, setStatus } from "./_page.ts";

const params = new URLSearchParams(location.search);

async function main(): Promise<void> {
  const request = (params.get("backend") ?? "auto") as PageBackend | "auto";
  const threads = params.has("threads") ? Number(params.get("threads")) : undefined;
  const backend = await startPageBackend(request, threads);
  byId("backend").textContent = backend.line;
  log(`backend: ${backend.line}`);
  setStatus("ready");
}

main().catch((error) => {
  log(`error: ${errorMessage(error)}`);
  setStatus("error", errorMessage(error));
  document.body.dataset.error = errorMessage(error);
});

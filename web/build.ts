// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task web`: builds the page into `web/dist/` (`index.html`, `style.css`, `app.js`, and
 * tfjs-backend-wasm's binaries in `wasm/`). The bundle is made by `deno bundle` (esbuild inside
 * Deno, which resolves the workspace, the import map and npm packages as `deno run` does).
 *
 * ```sh
 * deno task web                 # then: deno task serve
 * ```
 *
 * @module
 */
import { createRequire } from "node:module";

const WEB = new URL(".", import.meta.url);
const WASM_FILES = [
  "tfjs-backend-wasm.wasm",
  "tfjs-backend-wasm-simd.wasm",
  "tfjs-backend-wasm-threaded-simd.wasm",
];

/** Builds the page into `outDir` (default `web/dist/`); returns the bundle's size in bytes. */
export async function buildWeb(
  outDir: string = new URL("dist/", WEB).pathname,
  options: { minify?: boolean } = {},
): Promise<number> {
  const { minify = true } = options;
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(`${outDir}/wasm`, { recursive: true });
  const bundle = `${outDir}/app.js`;
  const args = ["bundle", "--quiet", "--platform", "browser", "--output", bundle];
  if (minify) args.push("--minify");
  const cwd = new URL("..", WEB).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [...args, new URL("main.ts", WEB).pathname],
    cwd,
    stdout: "inherit",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle failed (exit ${code}): ${new TextDecoder().decode(stderr)}`);
  }
  for (const file of ["index.html", "style.css"]) {
    await Deno.copyFile(new URL(file, WEB), `${outDir}/${file}`);
  }
  const require = createRequire(new URL("../deno.json", WEB));
  const wasmDir = require.resolve("@tensorflow/tfjs-backend-wasm").replace(/[^/]+$/, "");
  for (const file of WASM_FILES) await Deno.copyFile(`${wasmDir}${file}`, `${outDir}/wasm/${file}`);
  return (await Deno.stat(bundle)).size;
}

if (import.meta.main) {
  const started = performance.now();
  const size = await buildWeb();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`web/dist/app.js: ${(size / 1e6).toFixed(2)} MB, built in ${seconds} s`);
}

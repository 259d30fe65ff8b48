// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task serve [--port 8000] [--dir web/dist]`: serves the built page (`deno task web`)
 * as static files, cross-origin isolated (COOP/COEP headers) so that wasm can use threads.
 * Nothing is computed on the server: training and search run in the visitor's tab.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { extname, join, normalize } from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".json": "application/json",
};

/** A request handler serving the files under `dir` (index.html for `/`). */
export function staticHandler(dir: string): (request: Request) => Promise<Response> {
  const root = normalize(dir);
  return async (request) => {
    const url = new URL(request.url);
    const path = normalize(join(root, decodeURIComponent(url.pathname)));
    const headers = {
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cache-control": "no-cache",
    };
    if (!path.startsWith(root)) return new Response("forbidden", { status: 403, headers });
    const file = url.pathname.endsWith("/") ? join(path, "index.html") : path;
    try {
      const body = await Deno.readFile(file);
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      return new Response(body, { headers: { ...headers, "content-type": type } });
    } catch {
      return new Response("not found", { status: 404, headers });
    }
  };
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: { port: { type: "string", default: "8000" }, dir: { type: "string" } },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port is "${values.port}": expected an integer in 0..65535`);
    Deno.exit(2);
  }
  const dir = values.dir ?? new URL("dist/", import.meta.url).pathname;
  try {
    await Deno.stat(join(dir, "index.html"));
  } catch {
    console.error(`${dir} has no index.html: run \`deno task web\` first`);
    Deno.exit(2);
  }
  Deno.serve({ port, hostname: "127.0.0.1" }, staticHandler(dir));
}

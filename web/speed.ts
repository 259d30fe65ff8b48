// Copyright 2026 the simclr authors. MIT license.
/**
 * The training panel's speed in headless Chromium, to set beside `deno task bench`:
 *
 * ```sh
 * deno task web
 * deno run -A web/speed.ts "backend=wasm&threads=1&width=64&hidden=128&stem=imagenet&batch=32&steps=4"
 * deno task bench --backends wasm --sizes 32 --batch 32 --configs 1x1 --no-torch
 * ```
 *
 * Prints the page's `?demo=speed` result as JSON: `imgPerS` (views a second, augmentation
 * included) and `stepImgPerS` (without it, as the bench's random views).
 *
 * @module
 */
import { launchChromium, serveDir } from "./_browser.ts";

const server = serveDir(new URL("dist/", import.meta.url).pathname);
const chromium = await launchChromium();
try {
  const page = await chromium.browser.newPage();
  page.on("pageerror", (e) => console.error(`page error: ${e.message}`));
  await page.goto(`${server.url}?demo=speed&${Deno.args[0] ?? ""}`);
  await page.waitForFunction(
    () => ["ready", "error"].includes(document.body.dataset.status ?? ""),
    null,
    { timeout: 600_000 },
  );
  const error = await page.evaluate(() => document.body.dataset.error);
  if (error) throw new Error(error);
  console.log(await page.locator("#demo-result").textContent());
} finally {
  await chromium.close();
  await server.close();
}

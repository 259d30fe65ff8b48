// Copyright 2026 the simclr authors. MIT license.
// Test and tool support: Debian's Chromium driven by playwright-core (nothing downloaded), and
// the built page served on a free loopback port.
import { type Browser, chromium } from "playwright-core";
import { staticHandler } from "./serve.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Why the browser tests cannot run here, or `null` when they can. */
export async function chromiumMissing(): Promise<string | null> {
  try {
    await Deno.stat(CHROMIUM);
    return null;
  } catch {
    return `${CHROMIUM} is missing (apt-get install chromium)`;
  }
}

/**
 * Launches headless Chromium (playwright gives it a fresh temporary profile and removes it on
 * close).
 */
export async function launchChromium(): Promise<{ browser: Browser; close(): Promise<void> }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    browser,
    async close() {
      await browser.close();
    },
  };
}

/** Serves `dir` on a free loopback port; `close()` stops the server. */
export function serveDir(dir: string): { url: string; close(): Promise<void> } {
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    staticHandler(dir),
  );
  return { url: `http://127.0.0.1:${server.addr.port}/`, close: () => server.shutdown() };
}

// Copyright 2026 the simclr authors. MIT license.
// The page, built and served as `deno task web` and `deno task serve` do, in Debian's Chromium
// (headless, driven by playwright-core; nothing downloaded).
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { selectBackend } from "@simclr/backends/select-backend";
import { loadEncoder } from "@simclr/models/load-encoder";
import { buildWeb } from "./build.ts";
import { CHROMIUM, chromiumMissing, launchChromium, serveDir } from "./_browser.ts";
import type { DemoResult } from "./_demo.ts";

const WEB = new URL(".", import.meta.url).pathname;
const missing = await chromiumMissing();

/** Every `Deno.` reference in a bundle, with a little context. */
function denoReferences(bundle: string): string[] {
  return [...bundle.matchAll(/.{0,40}\bDeno\.[A-Za-z]+.{0,20}/g)].map((m) => m[0]);
}

Deno.test("`deno task web` builds a bundle that references no Deno API", async () => {
  const dir = await Deno.makeTempDir({ prefix: "simclr-web-" });
  try {
    await buildWeb(dir);
    const bundle = await Deno.readTextFile(`${dir}/app.js`);
    assert.ok(bundle.length > 100_000, "the bundle holds tfjs and the packages");
    assert.deepEqual(denoReferences(bundle), []);
    for (const file of ["index.html", "style.css", "wasm/tfjs-backend-wasm-simd.wasm"]) {
      assert.ok((await Deno.stat(`${dir}/${file}`)).size > 0, file);
    }
    // the check sees a file API when a module the page imports reaches one
    const entry = `${WEB}_deno_probe_tmp.ts`;
    await Deno.writeTextFile(
      entry,
      'import { loadSafetensors } from "@simclr/models/load-safetensors";\n' +
        "console.log(loadSafetensors);\n",
    );
    try {
      const { code } = await new Deno.Command(Deno.execPath(), {
        args: ["bundle", "--quiet", "--platform", "browser", "-o", `${dir}/probe.js`, entry],
      }).output();
      assert.equal(code, 0);
      assert.ok(denoReferences(await Deno.readTextFile(`${dir}/probe.js`)).length > 0);
    } finally {
      await Deno.remove(entry);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name:
    "the page's `?demo=1` path trains, checkpoints and searches in Chromium; a .ckpt loads from a file; training pauses and resumes",
  ignore: missing !== null,
  sanitizeResources: false, // playwright's pipes to the browser outlive single awaits
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "simclr-web-" });
    await buildWeb(dir);
    const server = serveDir(dir);
    const chromium = await launchChromium();
    try {
      const context = await chromium.browser.newContext({
        acceptDownloads: true,
        viewport: { width: 1100, height: 900 },
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(m.text());
      });
      page.on("pageerror", (e) => errors.push(e.message));
      const started = performance.now();
      await page.goto(`${server.url}?demo=1`);
      await page.waitForFunction(
        () => ["ready", "error"].includes(document.body.dataset.status ?? ""),
        null,
        { timeout: 150_000 },
      );
      const seconds = (performance.now() - started) / 1000;
      const status = await page.evaluate(
        () => [document.body.dataset.status, document.body.dataset.error],
      );
      assert.deepEqual(status, ["ready", undefined]);
      assert.deepEqual(errors, []);
      const result: DemoResult = JSON.parse(await page.locator("#demo-result").textContent() ?? "");
      console.log(
        `demo: ${seconds.toFixed(1)} s on ${result.backend}, ${result.imgPerS.toFixed(1)} img/s`,
      );
      assert.ok(seconds < 120, `the demo took ${seconds.toFixed(1)} s`);
      assert.equal(result.viewsDrawn, 1 + 2 * 4); // the image and 4 pairs
      assert.equal(result.viewsBlank, false);
      assert.ok(result.losses.every(Number.isFinite));
      const third = result.losses.length / 3;
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      assert.ok(mean(result.losses.slice(-third)) < mean(result.losses.slice(0, third)) - 0.03);
      // at the start the loss is log(2N - 1), chance for InfoNCE over 2N views
      assert.ok(Math.abs(result.losses[0] - Math.log(2 * 32 - 1)) < 0.2, `${result.losses[0]}`);
      assert.equal(result.tensors[0], result.tensors[1]);
      assert.equal(result.neighbours[0], 0); // the query finds itself first
      assert.ok(Math.abs(result.similarities[0] - 1) < 1e-4);
      assert.equal(new Set(result.neighbours).size, result.neighbours.length);
      assert.ok(result.knnTop1 >= 0 && result.knnTop1 <= 1);
      // SIMCLR_WEB_SCREENSHOT=web/screenshot.png refreshes the README's picture
      const keep = Deno.env.get("SIMCLR_WEB_SCREENSHOT");
      if (keep) await page.screenshot({ path: keep, fullPage: true });

      // the download is our checkpoint format: loadEncoder (what probe uses) reads it
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("#train-download"),
      ]);
      const path = `${dir}/page.safetensors`;
      await download.saveAs(path);
      await selectBackend("cpu", { log: null });
      const { encoder, config, metadata, format } = await loadEncoder(path);
      try {
        assert.equal(format, "safetensors");
        assert.deepEqual(config, {
          block: "basic",
          layers: [2, 2, 2, 2],
          width: 8,
          stem: "cifar",
          hiddenDim: 64,
          imageSize: 32,
        });
        assert.equal(metadata.method, "simclr");
        assert.equal(metadata.batchSize, 32);
        assert.equal(metadata.backend, result.backend);
      } finally {
        encoder.dispose();
      }

      // the tutorial's Lightning checkpoint from a file, then the demo images searched with it
      await page.setInputFiles(
        "#search-checkpoint",
        new URL("../models/testdata/simclr_w3.ckpt", import.meta.url).pathname,
      );
      await page.waitForFunction(() =>
        document.getElementById("search-info")!.textContent!.includes("embedded with simclr_w3")
      );
      assert.match(
        await page.locator("#search-info").textContent() ?? "",
        /\(torch, ResNet width 3/,
      );
      await page.click("#search-gallery button >> nth=3");
      assert.equal(await page.locator("#search-neighbours figure").count(), 8);
      assert.equal(
        await page.locator("#search-neighbours canvas >> nth=0").getAttribute("aria-label"),
        await page.locator("#search-gallery button >> nth=3").getAttribute("title"),
      );

      // pause and resume: the loop stops after a step and goes on from there
      await page.fill("#train-images", "64");
      await page.fill("#train-batch", "16");
      await page.click("#train-start");
      const stepOf = async () =>
        Number(
          (await page.locator("#train-progress").textContent())?.match(/step (\d+)/)?.[1] ?? 0,
        );
      await page.waitForFunction(() =>
        /step [1-9]/.test(document.getElementById("train-progress")!.textContent!)
      );
      await page.click("#train-pause");
      await page.waitForFunction(() => document.body.dataset.status === "ready");
      assert.equal(await page.locator("#status-text").textContent(), "paused");
      const paused = await stepOf();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      assert.equal(await stepOf(), paused);
      assert.equal(await page.locator("#train-pause").textContent(), "Resume");
      await page.click("#train-pause");
      await page.waitForFunction(
        (n) =>
          Number(document.getElementById("train-progress")!.textContent!.match(/step (\d+)/)?.[1]) >
            n,
        paused,
      );
      await page.click("#train-pause");
      await page.waitForFunction(() => document.body.dataset.status === "ready");
      assert.deepEqual(errors, []);

      const shot = decode(await page.screenshot({ fullPage: false }));
      const colours = new Set<number>();
      const { data, channels } = shot;
      for (let i = 0; i < data.length; i += channels * 7) {
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
      assert.ok(colours.size > 200, `the screenshot has ${colours.size} colours: blank?`);
      await context.close();
    } finally {
      await chromium.close();
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "a plain `chromium --headless --dump-dom` of `?demo=1` sees the scripted path end ready",
  // `?demo=1` starts wasm's plain build, on one thread: the threaded build's worker pool once
  // let Chromium's virtual time run out before the script had started (web/_backend.ts).
  ignore: missing !== null,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "simclr-web-" });
    await buildWeb(dir);
    const server = serveDir(dir);
    try {
      // --dump-dom alone dumps at the load event, before the demo's asynchronous work; with a
      // virtual-time budget Chromium dumps once the page has been idle for that much virtual
      // time, which the demo's compute does not spend (its timers do, a few ms each). A short
      // scripted path: this checks the mechanism, the Playwright test above checks the page.
      const query = "?demo=1&steps=12&batch=16&images=64&search=6";
      const { code, stdout } = await new Deno.Command(CHROMIUM, {
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          `--user-data-dir=${dir}/profile`,
          "--virtual-time-budget=600000",
          "--dump-dom",
          `${server.url}${query}`,
        ],
        stderr: "null",
      }).output();
      assert.equal(code, 0);
      const dom = new TextDecoder().decode(stdout);
      const body = dom.match(/<body[^>]*>/)?.[0];
      const log = dom.match(/<pre id="log"[^>]*>([^<]*)<\/pre>/)?.[1];
      assert.equal(body, '<body data-status="ready">', `the page's log: ${log}`);
      const json = dom.match(/<pre id="demo-result">([^<]*)<\/pre>/)?.[1];
      assert.ok(json, "the dump has #demo-result");
      const result: DemoResult = JSON.parse(
        json.replaceAll("&quot;", '"').replaceAll("&amp;", "&"),
      );
      assert.equal(result.losses.length, 12);
      assert.ok(result.losses.every(Number.isFinite));
      assert.equal(result.neighbours[0], 0); // the query finds itself first
    } finally {
      await server.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

if (missing !== null) console.error(`web_test.ts: Chromium tests skipped: ${missing}`);

// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
/**
 * The page's entry point (`deno task web` bundles it to `web/dist/app.js`): starts a backend,
 * then the three panels. Query parameters: `backend=webgpu|webgl|wasm|cpu`, `threads=N` (wasm),
 * `demo=1` (run the scripted path and set `<body data-status="ready">`), and for the scripted
 * path `steps`, `batch`, `images` (unlabeled images) and `search` (images searched).
 *
 * @module
 */
import { type PageBackend, startPageBackend } from "./_backend.ts";
import { AUGMENT_SIZE, setupAugmentPanel } from "./_augment_panel.ts";
import { runDemo, runSpeed } from "./_demo.ts";
import { byId, errorMessage, log, setStatus } from "./_page.ts";
import { type SearchImage, setupSearchPanel } from "./_search_panel.ts";
import { setupTrainPanel, tabDemoData } from "./_train_panel.ts";

const params = new URLSearchParams(location.search);
const integer = (name: string, fallback: number) => {
  const value = Number(params.get(name) ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};

async function main(): Promise<void> {
  const request = (params.get("backend") ?? "auto") as PageBackend | "auto";
  // The scripted path is a check, not a benchmark: one wasm thread unless asked, so that it
  // starts no worker pool (see loadWasm) and a plain `--dump-dom` sees it through.
  const threads = params.has("threads")
    ? integer("threads", 1)
    : params.get("demo") === "1"
    ? 1
    : undefined;
  const backend = await startPageBackend(request, threads);
  byId("backend").textContent = backend.line;
  log(`backend: ${backend.line}`);
  // A few demo images for the augmentation panel and the search, made in the tab.
  const sample = tabDemoData(0);
  const bytes = AUGMENT_SIZE * AUGMENT_SIZE * 3;
  const demoImages = (): SearchImage[] =>
    Array.from({ length: sample.test.labels.length }, (_, i) => ({
      name: `demo test ${i} (${sample.classNames[sample.test.labels[i]]})`,
      pixels: sample.test.pixels.subarray(i * bytes, (i + 1) * bytes),
    }));
  await setupAugmentPanel(sample.train.pixels.subarray(5 * bytes, 6 * bytes));
  const train = setupTrainPanel(backend.name);
  const search = setupSearchPanel(() => {
    const trainer = train.trainer();
    return trainer && {
      encoder: trainer.net.encoder,
      imageSize: trainer.config.imageSize,
      label: `the network being trained (step ${trainer.globalStep})`,
    };
  }, demoImages);
  if (params.get("demo") === "speed") {
    setStatus("busy", "timing training steps");
    byId<HTMLInputElement>("train-images").value = String(integer("images", 256));
    byId<HTMLInputElement>("train-batch").value = String(integer("batch", 32));
    const stem = params.get("stem") === "imagenet" ? "imagenet" : "cifar";
    const overrides = {
      width: integer("width", 8),
      hiddenDim: integer("hidden", 64),
      stem,
    } as const;
    await train.start({ overrides, monitor: false });
    const result = await runSpeed(backend.line, train, Math.max(2, integer("steps", 4)));
    const out = Object.assign(document.createElement("pre"), { id: "demo-result" });
    out.textContent = JSON.stringify(result);
    document.querySelector("footer")!.append(out);
    setStatus("ready", `${result.imgPerS.toFixed(1)} img/s`);
    return;
  }
  if (params.get("demo") !== "1") {
    setStatus("ready");
    return;
  }
  setStatus("busy", "running the demo");
  const result = await runDemo(backend.name, train, search, demoImages, {
    steps: Math.max(2, integer("steps", 24)),
    batchSize: integer("batch", 32),
    unlabeled: integer("images", 256),
    searchImages: integer("search", 12),
  });
  const out = document.createElement("pre");
  out.id = "demo-result";
  out.textContent = JSON.stringify(result);
  document.querySelector("footer")!.append(out);
  setStatus("ready", `demo done in ${result.seconds.toFixed(1)} s`);
}

main().catch((error) => {
  log(`error: ${errorMessage(error)}`);
  document.body.dataset.error = errorMessage(error);
  setStatus("error", errorMessage(error));
});

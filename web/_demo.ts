// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// `?demo=1`: the page's scripted path, run by itself: the views drawn, a few training steps
// (finite, falling loss), the checkpoint read back, and a search whose first hit is the query.
// The outcome goes on <body> (`data-status="ready"`, or `"error"` with `data-error`), and as
// JSON in `#demo-result`, so a plain `chromium --headless --virtual-time-budget=600000
// --dump-dom URL` can check it (the budget makes it wait for the path to end).
import * as tf from "@tensorflow/tfjs";
import { byId, log } from "./_page.ts";
import type { SearchImage, SearchPanel } from "./_search_panel.ts";
import type { TrainPanel } from "./_train_panel.ts";

/** What the scripted path measured. */
export interface DemoResult {
  backend: string;
  viewsDrawn: number;
  viewsBlank: boolean;
  losses: number[];
  lossFalls: boolean;
  /** Live tensors after the first step and after the last (flat: no step leaks). */
  tensors: [number, number];
  imgPerS: number;
  knnTop1: number;
  checkpointBytes: number;
  searchImages: number;
  neighbours: number[];
  similarities: number[];
  seconds: number;
}

/** Options of the scripted path (from the query string: `steps`, `batch`, `images`). */
export interface DemoOptions {
  steps: number;
  batchSize: number;
  unlabeled: number;
  searchImages: number;
}

/** Runs the scripted path; throws with the first check that fails. */
export async function runDemo(
  backend: string,
  train: TrainPanel,
  search: SearchPanel,
  demoImages: () => SearchImage[],
  options: DemoOptions,
): Promise<DemoResult> {
  const began = performance.now();
  const canvases = [...byId("augment-views").querySelectorAll("canvas")];
  const viewsBlank = canvases.length === 0 || canvases.some(isBlank);
  if (viewsBlank) {
    throw new Error(`demo: the augmentation panel drew ${canvases.length} views, some blank`);
  }
  byId<HTMLInputElement>("train-images").value = String(options.unlabeled);
  byId<HTMLInputElement>("train-batch").value = String(options.batchSize);
  const trainer = await train.start();
  const steps = await train.runSteps(1);
  const tensorsAfterFirst = tf.memory().numTensors;
  steps.push(...await train.runSteps(options.steps - 1));
  const tensors: [number, number] = [tensorsAfterFirst, tf.memory().numTensors];
  const losses = steps.map((s) => s.loss);
  if (!losses.every(Number.isFinite)) throw new Error(`demo: a loss is not finite: ${losses}`);
  const third = Math.max(1, Math.floor(losses.length / 3));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const lossFalls = mean(losses.slice(-third)) < mean(losses.slice(0, third));
  if (!lossFalls) {
    throw new Error(`demo: the loss did not fall: ${losses.map((l) => l.toFixed(3))}`);
  }
  // the steady speed: the first step also compiles kernels (WebGL, WebGPU) or warms caches
  const timed = steps.slice(1);
  const imgPerS = timed.length
    ? 2 * trainer.config.batchSize * timed.length / timed.reduce((a, s) => a + s.seconds, 0)
    : steps[0].imgPerS;
  const { knn_top1 } = await train.monitor();
  const { bytes } = await train.checkpoint();
  await search.loadCheckpoint(bytes, "the checkpoint trained in this tab");
  const images = demoImages().slice(0, options.searchImages);
  await search.setImages(images);
  const found = await search.query(0);
  if (found.indices[0] !== 0) {
    throw new Error(`demo: the query's nearest neighbour is image ${found.indices[0]}, not itself`);
  }
  const result: DemoResult = {
    backend,
    viewsDrawn: canvases.length,
    viewsBlank,
    losses,
    lossFalls,
    tensors,
    imgPerS,
    knnTop1: knn_top1,
    checkpointBytes: bytes.length,
    searchImages: images.length,
    neighbours: Array.from(found.indices),
    similarities: Array.from(found.similarities),
    seconds: (performance.now() - began) / 1000,
  };
  log(`demo: ${JSON.stringify(result)}`);
  return result;
}

/** Whether a canvas holds one colour only. */
function isBlank(canvas: HTMLCanvasElement): boolean {
  const { data } = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height);
  for (let i = 4; i < data.length; i++) if (data[i] !== data[i % 4]) return false;
  return true;
}

/** What the speed run measured (`?demo=speed`). */
export interface SpeedResult {
  backend: string;
  config: { batchSize: number; width: number; hiddenDim: number; stem: string; imageSize: number };
  /** Steady views per second (the steps after the first), augmentation included. */
  imgPerS: number;
  /** The same without the time spent making the views (as `deno task bench`, which uses random views). */
  stepImgPerS: number;
  secondsPerStep: number[];
}

/** Times `steps` steps of the started trainer, checking nothing (`?demo=speed`). */
export async function runSpeed(
  backend: string,
  train: TrainPanel,
  steps: number,
): Promise<SpeedResult> {
  const trainer = train.trainer();
  if (!trainer) throw new Error("runSpeed(): start the trainer first");
  const timed = (await train.runSteps(steps)).slice(1);
  const views = 2 * trainer.config.batchSize * timed.length;
  const total = timed.reduce((a, s) => a + s.seconds, 0);
  const result: SpeedResult = {
    backend,
    config: (({ batchSize, width, hiddenDim, stem, imageSize }) => ({
      batchSize,
      width,
      hiddenDim,
      stem,
      imageSize,
    }))(trainer.config),
    imgPerS: views / total,
    stepImgPerS: views / (total - timed.reduce((a, s) => a + s.viewSeconds, 0)),
    secondsPerStep: timed.map((s) => s.seconds),
  };
  log(`speed: ${JSON.stringify(result)}`);
  return result;
}

// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// Panel 2: SimCLR on the demo data made in the tab, with live curves, pause and resume, and
// the checkpoint as a download.
import { type DemoData, renderDemoData } from "@simclr/datasets/generate-demo-data";
import { LineChart } from "./_chart.ts";
import { DEMO_PRESET, DemoTrainer, type WebStep, type WebTrainConfig } from "./_demo_trainer.ts";
import { byId, download, errorMessage, log, setStatus, yieldToPage } from "./_page.ts";

/** Labelled images per class of the tab's demo data (train split: the kNN bank) and test. */
const TRAIN_PER_CLASS = 50, TEST_PER_CLASS = 20;

/** What the other panels and the scripted demo use of the training panel. */
export interface TrainPanel {
  /** The trainer, once started. */
  trainer(): DemoTrainer | null;
  /**
   * Makes the data and a fresh trainer with the controls' settings and `overrides` (the network:
   * width, hidden size, stem); `monitor: false` skips the first kNN monitor.
   */
  start(options?: StartOptions): Promise<DemoTrainer>;
  /** Runs `n` steps now (the loop's steps, charts included); returns them. */
  runSteps(n: number): Promise<WebStep[]>;
  /** The kNN monitor, charted. */
  monitor(): Promise<{ knn_top1: number; embedding_std: number }>;
  /** The checkpoint's bytes and file name (what the download button offers). */
  checkpoint(): Promise<{ bytes: Uint8Array; name: string }>;
}

/** Options of {@linkcode TrainPanel.start}. */
export interface StartOptions {
  overrides?: Partial<Pick<WebTrainConfig, "width" | "hiddenDim" | "stem" | "temperature">>;
  monitor?: boolean;
}

/** The demo data the panel trains on, for `unlabeled` unlabeled images. */
export function tabDemoData(unlabeled: number, seed: number = DEMO_PRESET.seed): DemoData {
  return renderDemoData({
    seed,
    trainPerClass: TRAIN_PER_CLASS,
    testPerClass: TEST_PER_CLASS,
    unlabeled,
  });
}

/** Wires the panel. `backend` goes into the checkpoint's configuration. */
export function setupTrainPanel(backend: string): TrainPanel {
  const charts = {
    loss: new LineChart(byId("chart-loss")),
    top5: new LineChart(byId("chart-top5"), { yMin: 0, yMax: 1 }),
    knn: new LineChart(byId("chart-knn"), { yMin: 0, yMax: 1 }),
  };
  const startButton = byId<HTMLButtonElement>("train-start");
  const pauseButton = byId<HTMLButtonElement>("train-pause");
  const downloadButton = byId<HTMLButtonElement>("train-download");
  const progress = byId("train-progress");
  let trainer: DemoTrainer | null = null;
  let running = false;
  let looping = false;
  let busy: Promise<unknown> = Promise.resolve();
  const number = (id: string) => Math.round(Number(byId<HTMLInputElement>(id).value));

  const start = async (options: StartOptions = {}): Promise<DemoTrainer> => {
    running = false;
    await busy;
    trainer?.dispose();
    trainer = null;
    Object.values(charts).forEach((chart) => chart.clear());
    progress.textContent = "Making the demo data…";
    await yieldToPage();
    const began = performance.now();
    const data = tabDemoData(Math.max(0, number("train-images")));
    log(
      `demo data: ${data.train.labels.length} labelled, ${data.unlabeled.labels.length} unlabeled, ` +
        `${data.test.labels.length} test images in ${
          ((performance.now() - began) / 1000).toFixed(1)
        } s`,
    );
    trainer = new DemoTrainer(data, {
      ...DEMO_PRESET,
      batchSize: Math.max(4, number("train-batch")),
      epochs: Math.max(1, number("train-epochs")),
      data: "demo data generated in the browser (renderDemoData, seed 42)",
      backend,
      ...options.overrides,
    });
    downloadButton.disabled = false;
    if (options.monitor !== false) await monitor();
    return trainer;
  };

  const monitor = async () => {
    const values = await trainer!.monitor();
    charts.knn.add(trainer!.globalStep, values.knn_top1);
    log(
      `step ${trainer!.globalStep}: knn_top1 ${values.knn_top1.toFixed(3)}, ` +
        `embedding_std ${values.embedding_std.toFixed(4)}`,
    );
    return values;
  };

  const runOne = async (): Promise<WebStep> => {
    const t = trainer!;
    const step = await t.trainOne();
    charts.loss.add(step.globalStep, step.loss);
    charts.top5.add(step.globalStep, step.metrics.acc_top5);
    byId("speed").textContent = `${step.imgPerS.toFixed(1)} img/s ` +
      `(${t.config.batchSize} x 2 views, ${step.seconds.toFixed(2)} s a step)`;
    progress.textContent =
      `Epoch ${step.epoch + 1} of ${t.config.epochs}, step ${step.globalStep} ` +
      `(${t.steps} an epoch): loss ${step.loss.toFixed(3)}, top-5 ${
        step.metrics.acc_top5.toFixed(3)
      }`;
    if (t.step === 0) await monitor(); // an epoch ended
    return step;
  };

  const loop = async () => {
    if (looping) return;
    looping = true;
    setStatus("busy", "training");
    try {
      while (running && trainer && !trainer.done) {
        await runOne();
        await yieldToPage();
      }
      if (trainer?.done) progress.textContent += " Done.";
      setStatus("ready", running ? "trained" : "paused");
    } catch (error) {
      log(`train: ${errorMessage(error)}`);
      setStatus("error", errorMessage(error));
    } finally {
      looping = false;
      running = false;
      pauseButton.textContent = "Resume";
      pauseButton.disabled = !trainer || trainer.done;
    }
  };

  startButton.addEventListener("click", () => {
    busy = start({}).then(() => {
      running = true;
      pauseButton.textContent = "Pause";
      pauseButton.disabled = false;
      busy = loop();
    }).catch((error) => setStatus("error", errorMessage(error)));
  });
  pauseButton.addEventListener("click", () => {
    if (running) {
      running = false; // the loop stops after this step
      pauseButton.textContent = "Resume";
    } else if (trainer && !trainer.done) {
      running = true;
      pauseButton.textContent = "Pause";
      busy = loop();
    }
  });
  const checkpoint = async () => {
    const t = trainer!;
    return { bytes: await t.checkpoint(), name: `simclr-web-step${t.globalStep}.safetensors` };
  };
  downloadButton.addEventListener("click", async () => {
    if (!trainer) return;
    await busy.catch(() => {});
    const { bytes, name } = await checkpoint();
    download(bytes, name);
    log(`checkpoint: ${name}, ${(bytes.length / 1e6).toFixed(2)} MB`);
  });

  return {
    trainer: () => trainer,
    start,
    async runSteps(n) {
      const steps: WebStep[] = [];
      for (let i = 0; i < n; i++) steps.push(await runOne());
      return steps;
    },
    monitor,
    checkpoint,
  };
}

// Copyright 2026 the simclr authors. MIT license.
// SimCLR on the demo data in the tab: the library's steps (simclrViews, contrastiveLoss,
// trainStep, AdamW, the cosine schedule) in a small loop of the page's own, since `fit()`
// writes files. One call of `step()` is one optimiser step; the caller decides when to pause.
import * as tf from "@tensorflow/tfjs";
import { simclrViews } from "@simclr/augment/simclr-views";
import { epochOrder, stepsPerEpoch } from "@simclr/datasets/batches";
import type { DemoData } from "@simclr/datasets/generate-demo-data";
import { knnClassify } from "@simclr/eval/knn-classify";
import { embeddingStd } from "@simclr/eval/embedding-std";
import { DEFAULT_SEED, mixSeed } from "@simclr/internal/random";
import { PRESETS } from "@simclr/pipeline/presets";
import { encodeSafetensors } from "@simclr/models/save-safetensors";
import { type SimCLRNet, simclrNet } from "@simclr/models/simclr-net";
import { AdamW } from "@simclr/train/adamw";
import { contrastiveLoss } from "@simclr/train/contrastive-loss";
import { cosineAnnealingLR } from "@simclr/train/cosine-annealing-lr";
import { trainStep } from "@simclr/train/train-step";
import { encodeImages } from "./_features.ts";

/** A run's settings: the demo preset's (`deno task pretrain`), named as its `config.json`. */
export interface WebTrainConfig {
  method: "simclr";
  preset: "demo";
  epochs: number;
  batchSize: number;
  imageSize: number;
  width: number;
  hiddenDim: number;
  stem: "cifar" | "imagenet";
  temperature: number;
  lr: number;
  weightDecay: number;
  seed: number;
  nViews: number;
  cropMinScale: number;
  hue: number;
  maxBlurSigma: number;
  /** Where the images came from. */
  data: string;
  backend: string;
}

/** The demo preset of `deno task pretrain` (`PRESETS.demo` of the pipeline), as a web run's settings. */
export const DEMO_PRESET: Omit<WebTrainConfig, "data" | "backend"> = (({ name: _, ...p }) => ({
  method: "simclr",
  preset: "demo",
  epochs: p.epochs,
  batchSize: p.batchSize,
  imageSize: p.imageSize,
  width: p.width,
  hiddenDim: p.hiddenDim,
  stem: p.stem,
  temperature: p.temperature,
  lr: p.lr,
  weightDecay: p.weightDecay,
  seed: DEFAULT_SEED,
  nViews: 2,
  cropMinScale: p.cropMinScale,
  hue: p.hue,
  maxBlurSigma: p.maxBlurSigma,
}))(PRESETS.demo);

/** One step's numbers. */
export interface WebStep {
  epoch: number;
  globalStep: number;
  loss: number;
  metrics: Record<string, number>;
  seconds: number;
  /** Of which making the views took (exact on wasm and cpu, which compute as ops are called). */
  viewSeconds: number;
  /** Views per second (2 x batch / seconds), as `deno task bench` counts. */
  imgPerS: number;
}

/** Trains a SimCLR network on the demo data held in memory. */
export class DemoTrainer {
  readonly net: SimCLRNet;
  readonly optimizer: AdamW;
  readonly steps: number;
  epoch = 0;
  step = 0;
  globalStep = 0;
  private readonly pool: Uint8Array;
  private readonly poolSize: number;
  private readonly schedule: (epoch: number) => number;
  private order: Int32Array;

  constructor(readonly data: DemoData, readonly config: WebTrainConfig) {
    // pretraining reads train+unlabeled, as `deno task pretrain` on the demo data does
    this.pool = new Uint8Array(data.train.pixels.length + data.unlabeled.pixels.length);
    this.pool.set(data.train.pixels);
    this.pool.set(data.unlabeled.pixels, data.train.pixels.length);
    this.poolSize = data.train.labels.length + data.unlabeled.labels.length;
    this.steps = stepsPerEpoch(this.poolSize, { batchSize: config.batchSize, dropLast: true });
    if (this.steps === 0) {
      throw new RangeError(`batch size ${config.batchSize} exceeds the ${this.poolSize} images`);
    }
    const { hiddenDim, width, stem, seed, lr, weightDecay, epochs } = config;
    this.net = simclrNet({ hiddenDim, width, stem, seed });
    this.optimizer = new AdamW(this.net.parameters(), { lr, weightDecay });
    this.schedule = cosineAnnealingLR({ baseLr: lr, tMax: epochs, etaMin: lr / 50 });
    this.order = epochOrder(this.poolSize, { seed, epoch: 0 });
  }

  /** Whether every epoch has run. */
  get done(): boolean {
    return this.epoch >= this.config.epochs;
  }

  /** One optimiser step on the next batch. */
  async trainOne(): Promise<WebStep> {
    const { batchSize, seed, imageSize, nViews, cropMinScale, hue, maxBlurSigma } = this.config;
    const size = this.data.imageSize, bytes = size * size * 3;
    const pixels = new Uint8Array(batchSize * bytes);
    for (let i = 0; i < batchSize; i++) {
      const index = this.order[this.step * batchSize + i];
      pixels.set(this.pool.subarray(index * bytes, (index + 1) * bytes), i * bytes);
    }
    this.optimizer.lr = this.schedule(this.epoch);
    const started = performance.now();
    const views = simclrViews({ pixels, height: size, width: size, count: batchSize }, {
      seed: mixSeed(seed, this.epoch, this.step),
      nViews,
      size: imageSize,
      cropScale: [cropMinScale, 1],
      hue,
      blurSigma: [maxBlurSigma / 20, maxBlurSigma],
    });
    const viewSeconds = (performance.now() - started) / 1000;
    let result;
    try {
      result = await trainStep(
        this.net,
        this.optimizer,
        () => contrastiveLoss(this.net, views, { temperature: this.config.temperature, nViews }),
      );
    } finally {
      views.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const step: WebStep = {
      epoch: this.epoch,
      globalStep: ++this.globalStep,
      loss: result.loss,
      metrics: result.metrics,
      seconds,
      viewSeconds,
      imgPerS: nViews * batchSize / seconds,
    };
    if (++this.step === this.steps) {
      this.step = 0;
      this.epoch++;
      this.order = epochOrder(this.poolSize, { seed, epoch: this.epoch });
    }
    return step;
  }

  /** The online monitors: kNN top-1 of the test images against the labelled ones, embedding std. */
  async monitor(): Promise<{ knn_top1: number; embedding_std: number }> {
    const options = { sourceSize: this.data.imageSize, imageSize: this.config.imageSize };
    const bank = await encodeImages(this.net.encoder, this.data.train.pixels, options);
    const queries = await encodeImages(this.net.encoder, this.data.test.pixels, options);
    try {
      const predicted = await knnClassify(bank, this.data.train.labels, queries, {
        k: 200,
        temperature: 0.07,
        numClasses: this.data.classNames.length,
      });
      const labels = this.data.test.labels;
      const hits = predicted.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0);
      const std = tf.tidy(() => embeddingStd(this.net.head.apply(bank, { training: false })));
      const [embedding_std] = await std.data();
      std.dispose();
      return { knn_top1: hits / labels.length, embedding_std };
    } finally {
      tf.dispose([bank, queries]);
    }
  }

  /**
   * The network as our checkpoints hold it: the state dict in PyTorch layout, with the run's
   * configuration as `config` and the epoch in the metadata (what `saveCheckpoint` writes, so
   * `loadEncoder` and `deno task probe` read it).
   */
  async checkpoint(): Promise<Uint8Array> {
    const state = this.net.stateDict();
    try {
      return await encodeSafetensors(state, {
        config: JSON.stringify(this.config),
        epoch: String(Math.max(0, this.epoch - (this.step === 0 ? 1 : 0))),
      });
    } finally {
      tf.dispose([...state.values()]);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
    this.net.dispose();
  }
}

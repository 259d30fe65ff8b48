// Copyright 2026 the simclr authors. MIT license.
import type * as tf from "@tensorflow/tfjs-core";
import type { BackendRequest } from "@simclr/backends";
import type { HeadedNetwork, Module } from "@simclr/models";
import type { LossOutput, Replica } from "@simclr/train";

/**
 * Everything a method's replica is built from: the network's shape, the views' augmentation,
 * the method's hyperparameters and the length of the run. Structured-cloneable: data-parallel
 * workers receive it and build the same replica from it.
 */
export interface MethodConfig {
  /** The method's name in {@linkcode Method.name} (what `--method` takes). */
  method: string;
  /** The backend each replica starts. */
  backend: BackendRequest;
  /** wasm threads in each replica's process. */
  threads: number;
  /** Projection size (SimCLR's and SupCon's head output; BYOL's projection). */
  hiddenDim: number;
  /** ResNet base width (torchvision: 64). */
  width: number;
  /** ResNet stem. */
  stem: "imagenet" | "cifar";
  /** Seed of the initialisation. */
  seed: number;
  /** Side of the stored images. */
  sourceSize: number;
  /** Side of the views (the network's input). */
  imageSize: number;
  /** Views per image. */
  nViews: number;
  /** Smallest crop area of RandomResizedCrop. */
  cropMinScale: number;
  /** Hue jitter of ColorJitter. */
  hue: number;
  /** The range of GaussianBlur's sigma, in pixels of the views. */
  blurSigma: readonly [number, number];
  /** InfoNCE's and SupCon's temperature. */
  temperature: number;
  /** The method's own hyperparameters by name ({@linkcode Method.hyperparameters}). */
  hyperparameters: Readonly<Record<string, number>>;
  /** Optimiser steps of the whole run (BYOL's target decay reaches 1 there). */
  totalSteps: number;
  /** Random views instead of augmented images (the benchmark's step: no data, no augmentation). */
  synthetic?: boolean;
}

/** What a replica gets for its part of a batch. */
export interface MethodPayload {
  /** The part's images: HWC uint8, `sourceSize` pixels a side. */
  pixels: Uint8Array;
  /** The batch's view seed (`mixSeed(seed, epoch, step)`). */
  seed: number;
  /** Labels of the whole batch for a method that uses them ({@linkcode Method.labels}), else null. */
  labels: Int32Array | null;
}

/** A replica of a method's step, and its loss in evaluation mode for validation. */
export interface MethodReplica extends Replica<MethodPayload> {
  /** The trained network (for BYOL with its target among the buffers). */
  model: Module<tf.Tensor4D, tf.Tensor2D>;
  /** The encoder and projector the online monitors watch (BYOL's online network). */
  monitored: HeadedNetwork;
  /** Width of one output row (what data-parallel replicas exchange). */
  outputDim: number;
  /** The method's loss of a batch's views with BatchNorm's running statistics (validation). */
  evaluate(views: tf.Tensor4D, payload: MethodPayload): LossOutput;
}

/** One batch of a validation pass: its image count and payload. */
export interface ValidationBatch {
  /** Images in the batch. */
  count: number;
  /** Its images, view seed and labels. */
  payload: MethodPayload;
}

/** One of a method's own hyperparameters: its flag, its meaning and the paper's default. */
export interface MethodHyperparameter {
  /** How the value is read (`--flag-name` is the kebab-case of the key). */
  type: "number" | "integer";
  /** Smallest allowed value. */
  min: number;
  /** What it does, for `--help` (prefixed with the method's name there). */
  help: string;
  /**
   * The paper's value for a run's settings: `perWidth` scales it with the ResNet width (a
   * paper's ResNet-50 at width 64 has `perWidth * 64`); `fromTemperature` takes the run's
   * temperature.
   */
  paper: { value: number } | { perWidth: number } | { fromTemperature: true };
}

/**
 * A self-supervised (or supervised contrastive) pretraining method, whole: its network from a
 * config, its views of a batch, its objective on the whole batch's outputs, what happens after
 * a step, its validation, its extra checkpoint state, its hyperparameters with the papers'
 * defaults, its metric names and which validation metric picks the best checkpoint.
 * `@simclr/train`'s `ReplicaTrainer` runs its steps whole, in chunks or on workers; the pipeline's
 * `pretrain()` runs the epochs around them. Each method is one file of `@simclr/methods`, listed
 * in {@linkcode METHODS}.
 */
export interface Method {
  /** The name `--method` takes, e.g. `"byol"`. */
  readonly name: string;
  /** The name people read, e.g. `"BYOL"`. */
  readonly title: string;
  /** Where it comes from (paper and year), for documentation. */
  readonly paper: string;
  /** Whether it trains on labelled images with their labels (SupCon): the payload carries them. */
  readonly labels: boolean;
  /** The only number of views its loss takes (2 for a loss that pairs views), or null for any. */
  readonly views: number | null;
  /** Its own hyperparameters by config key (camelCase), with the papers' defaults. */
  readonly hyperparameters: Readonly<Record<string, MethodHyperparameter>>;
  /** Projection size per unit of ResNet width, where the method's paper fixes it (BYOL: 4). */
  readonly hiddenDimPerWidth?: number;
  /** The metrics its training steps and validation report (`loss` first), unprefixed. */
  readonly metrics: readonly string[];
  /** The validation metric that picks the best checkpoint, as `metrics.jsonl` names it. */
  readonly monitor: { readonly metric: string; readonly mode: "max" | "min" };
  /**
   * State-dict keys (or key prefixes ending in `.`) it checkpoints beyond the network whose
   * encoder the probe reads (BYOL: its target network and update count).
   */
  readonly extraState: readonly string[];
  /** Width of one output row of its replica for `config`. */
  outputDim(config: MethodConfig): number;
  /**
   * A replica of its step: the network(s), the views of a part of a batch, the forward pass,
   * the loss of the whole batch's outputs, `afterStep` (BYOL's momentum update) and `evaluate`.
   * Every call with the same config builds the same network.
   */
  createReplica(config: MethodConfig): Promise<MethodReplica>;
  /** Its validation pass over batches, averaged over images: `loss` and its metrics. */
  validate(
    replica: MethodReplica,
    batches: AsyncIterable<ValidationBatch>,
    config: MethodConfig,
  ): Promise<Record<string, number>>;
}

// Helpers of the eval package's tests.
import * as tf from "@tensorflow/tfjs-core";
import { generateDemoData, openSTL10, type STL10Dataset } from "@simclr/datasets";
import { createRng } from "@simclr/internal/random";
import { ResNetEncoder } from "@simclr/models";
import { extractFeatures } from "./extract_features.ts";
import type { FeaturedSplit } from "./write_neighbour_grid.ts";

/** The demo data's labelled splits (16 px, `train` and `test` images per class) in a temporary folder. */
export async function demoSplits(
  train: number,
  test: number,
): Promise<{ dir: string; train: STL10Dataset; test: STL10Dataset }> {
  const dir = await Deno.makeTempDir();
  await generateDemoData(dir, {
    trainPerClass: train,
    testPerClass: test,
    unlabeled: 0,
    imageSize: 16,
  });
  return { dir, train: await openSTL10(dir, "train"), test: await openSTL10(dir, "test") };
}

/** The features of a split by an untrained ResNet-18 of width 2. */
export async function randomEncoderFeatures(split: STL10Dataset): Promise<FeaturedSplit> {
  const encoder = new ResNetEncoder({ block: "basic", layers: [2, 2, 2, 2], width: 2, seed: 1 });
  try {
    return { ...await extractFeatures(encoder, split, { progress: false }), images: split };
  } finally {
    encoder.dispose();
  }
}

/**
 * What a trained encoder gives at best: features that separate the classes (each class's
 * direction, plus noise), rows sorted by label as {@linkcode extractFeatures} sorts them.
 */
export function classFeatures(split: STL10Dataset, seed: number): FeaturedSplit {
  const all = split.labels()!;
  const indices = Int32Array.from(all.keys()).sort((a, b) => all[a] - all[b] || a - b);
  const labels = indices.map((i) => all[i]);
  const rng = createRng(seed);
  const dim = 12;
  const values = Float32Array.from(
    { length: labels.length * dim },
    (_, p) => (p % dim === labels[Math.floor(p / dim)] ? 1 : 0) + 0.15 * rng.normal(),
  );
  return { features: tf.tensor2d(values, [labels.length, dim]), labels, indices, images: split };
}

// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { type BackendRequest, selectBackend } from "@simclr/backends";
import { type DataSetSplit, openDataSet } from "@simclr/datasets";
import { encodeImages, type FeatureEncoder } from "@simclr/eval/encode-images";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { loadEncoder, saveSafetensors } from "@simclr/models";
import { csvLine } from "./_csv.ts";
import type { CommandSpec } from "./flag.ts";
import { BACKEND_FLAG, DATA_FLAGS } from "./run_settings.ts";
import { UsageError } from "./usage_error.ts";

/** `deno task embed`: its description and flags, each a field of {@linkcode EmbedConfig}. */
export const EMBED_COMMAND: CommandSpec = {
  name: "embed",
  description:
    "Embeddings of every image of a data folder, in file order, from a checkpoint's encoder.",
  flags: [
    {
      name: "weights",
      type: "string",
      help: "Checkpoint: ours (.safetensors) or a Lightning .ckpt",
    },
    { name: "data", type: "string", help: "An image folder or an stl10_binary folder" },
    { name: "out", type: "string", help: "Output folder", default: "runs/embed" },
    {
      name: "projections",
      type: "boolean",
      help: "The projection head's z instead of the features h",
    },
    {
      name: "image-size",
      type: "integer",
      min: 8,
      help: "Side of the network's input (default: the checkpoint's, else the data's)",
    },
    { name: "batch-size", type: "integer", min: 1, default: 64, help: "Images encoded at once" },
    ...DATA_FLAGS.slice(1),
    BACKEND_FLAG,
  ],
};

/** Settings of {@linkcode embed}; the fields mirror `deno task embed`'s flags. */
export interface EmbedConfig {
  /** The checkpoint: any file `loadEncoder` reads (ours, the tutorial's Lightning `.ckpt`). */
  weights: string;
  /** The data folder: an image folder or an `stl10_binary` folder. */
  data: string;
  /** Output folder (created). */
  out: string;
  /** The projection head's `z` instead of the encoder's features `h`. Default false. */
  projections?: boolean;
  /** Side the images are resized to for the network. Default: the checkpoint's, else the data's. */
  imageSize?: number;
  /** Images encoded at once. Default 64. */
  batchSize?: number;
  /** The tfjs backend. Default `auto`. */
  backend?: BackendRequest;
  /** Image folders: side of the stored images. Default: the larger of 96 and `imageSize`. */
  sourceSize?: number;
  /** Image folders: the folder of the decoded-image cache. Default `.cache/image-folders`. */
  imageCache?: string;
  /** Image folders: skip files that fail to decode (listed in `OUT/broken.csv`). */
  skipBroken?: boolean;
  /** Progress bars. Default: when stderr is a terminal. */
  progress?: boolean;
}

/** What {@linkcode embed} wrote. */
export interface EmbedResult {
  /** `OUT/embeddings.safetensors`: tensor `embeddings`, `[count, dim]` float32. */
  embeddingsPath: string;
  /** `OUT/index.csv`: `index,path,label`, one row per embedding. */
  indexPath: string;
  /** Images embedded. */
  count: number;
  /** Values per embedding. */
  dim: number;
  /** `h` (encoder features) or `z` (projections). */
  kind: "h" | "z";
  /** Each row's image, relative to the data folder (`train_X.bin[3]` for STL10's files). */
  paths: string[];
}

/** The splits embedded, in this order (each image once). */
const SPLITS: readonly DataSetSplit[] = ["train", "test", "unlabeled"];

/**
 * A vector per image of a data folder, in file order (train, then test, then unlabeled; within
 * each, the folder's order): the encoder's features `h`, or with `projections` the head's `z`,
 * in evaluation mode, the images resized as the probe resizes them (`encodeImages`). Writes
 * `OUT/embeddings.safetensors` (tensor `embeddings`, `[N, D]` float32; metadata: the model's
 * configuration, the weights, the data folder and how it was read) and `OUT/index.csv`
 * (`index,path,label`: paths relative to the data folder, 0-based labels, empty when
 * unlabeled; class names in the metadata), both written atomically. With `skipBroken`, the
 * images that failed to decode are listed in `OUT/broken.csv`.
 *
 * @param config Checkpoint, data, output folder and settings.
 * @returns Where the files are, the embeddings' shape and the paths.
 *
 * @example Embed a folder with an untrained network
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import { simclrNet, saveSafetensors } from "@simclr/models";
 * import { embed } from "@simclr/pipeline";
 * import sharp from "sharp";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * for (const [i, r] of [0, 120, 255].entries()) {
 *   const create = { width: 40, height: 30, channels: 3 as const, background: { r, g: 90, b: 0 } };
 *   await Deno.writeFile(`${dir}/${i}.png`, await sharp({ create }).png().toBuffer());
 * }
 * const net = simclrNet({ width: 4, hiddenDim: 8, stem: "cifar" });
 * const state = net.stateDict();
 * await saveSafetensors(`${dir}/w.safetensors`, state, { config: JSON.stringify({ imageSize: 16 }) });
 * const result = await embed({
 *   weights: `${dir}/w.safetensors`, data: dir, out: `${dir}/out`, backend: "cpu",
 *   imageCache: `${dir}/.cache`, progress: false,
 * });
 * assert.deepEqual([result.count, result.dim, result.kind], [3, 32, "h"]);
 * assert.equal(await Deno.readTextFile(result.indexPath), "index,path,label\n0,0.png,\n1,1.png,\n2,2.png,\n");
 * state.forEach((t) => t.dispose());
 * net.dispose();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function embed(config: EmbedConfig): Promise<EmbedResult> {
  const backend = await selectBackend(config.backend ?? "auto");
  const projections = config.projections ?? false;
  const loaded = await loadEncoder(
    config.weights,
    config.imageSize !== undefined ? { imageSize: config.imageSize } : {},
    { head: projections },
  );
  const { encoder, head } = loaded;
  try {
    if (projections && head === null) {
      throw new UsageError(
        `--projections: ${config.weights} has no head under "${loaded.prefix}fc.": ` +
          "expected a checkpoint of the whole network (pretrain's last/best.safetensors)",
      );
    }
    const imageSize = loaded.config.imageSize ?? config.imageSize;
    const sourceSize = config.sourceSize ?? Math.max(96, imageSize ?? 0);
    const data = await openDataSet(config.data, {
      sourceSize,
      ...(config.imageCache !== undefined ? { cacheDir: config.imageCache } : {}),
      skipBroken: config.skipBroken ?? false,
      ...(config.progress !== undefined ? { progress: config.progress } : {}),
    });
    const network: FeatureEncoder = projections
      ? {
        apply: (x, options) =>
          tf.tidy(() => head!.apply(encoder.apply(x, options), options) as tf.Tensor2D),
      }
      : encoder;
    const parts: { split: DataSetSplit; features: Float32Array; labels: Int32Array | null }[] = [];
    const paths: string[] = [];
    let dim = 0;
    let stored = 0;
    for (const name of SPLITS) {
      const split = await data.split(name);
      if (split === null || split.length === 0) continue;
      stored = split.imageSize;
      const size = imageSize ?? split.imageSize;
      console.error(`embedding ${name}: ${split.length} images at ${size} px`);
      const encoded = await encodeImages(network, split, {
        batchSize: config.batchSize ?? 64,
        imageSize: size,
        ...(config.progress !== undefined ? { progress: config.progress } : {}),
      });
      dim = encoded.dim;
      parts.push({ split: name, features: encoded.features, labels: encoded.labels });
      const own = (split as { paths?: readonly string[] }).paths;
      for (let i = 0; i < split.length; i++) paths.push(own?.[i] ?? `${name}_X.bin[${i}]`);
    }
    if (paths.length === 0) throw new UsageError(`--data ${config.data}: no images to embed`);
    const count = paths.length;
    const all = new Float32Array(count * dim);
    const labels: (number | null)[] = [];
    let at = 0;
    for (const part of parts) {
      all.set(part.features, at * dim);
      const n = part.features.length / dim;
      for (let i = 0; i < n; i++) labels.push(part.labels?.[i] ?? null);
      at += n;
    }

    await Deno.mkdir(config.out, { recursive: true });
    const embeddingsPath = `${config.out}/embeddings.safetensors`;
    const indexPath = `${config.out}/index.csv`;
    const kind = projections ? "z" : "h";
    const tensor = tf.tensor2d(all, [count, dim]);
    try {
      await saveSafetensors(embeddingsPath, new Map([["embeddings", tensor]]), {
        format: "pt",
        embedding: kind,
        config: JSON.stringify({ ...loaded.config, imageSize: imageSize ?? stored }),
        weights: await Deno.realPath(config.weights),
        weightsDigest: loaded.digest,
        data: await Deno.realPath(config.data),
        dataFormat: data.format,
        splits: JSON.stringify(parts.map((p) => [p.split, p.features.length / dim])),
        sourceSize: String(stored),
        ...(config.imageCache !== undefined ? { cacheDir: config.imageCache } : {}),
        classNames: JSON.stringify(data.classNames),
        backend: backend.name,
      });
    } finally {
      tensor.dispose();
    }
    const rows = paths.map((p, i) => csvLine([i, p, labels[i] === null ? "" : labels[i]!]));
    await writeFileAtomic(indexPath, ["index,path,label", ...rows].join("\n") + "\n");
    if (data.broken.length > 0) {
      const broken = data.broken.map((b) => csvLine([b.path, b.reason]));
      await writeFileAtomic(
        `${config.out}/broken.csv`,
        ["path,reason", ...broken].join("\n") + "\n",
      );
      console.error(
        `skipped ${data.broken.length} images that failed to decode: ${config.out}/broken.csv`,
      );
    }
    console.error(`wrote ${count} embeddings (${kind}, ${dim} values each) to ${embeddingsPath}`);
    return { embeddingsPath, indexPath, count, dim, kind, paths };
  } finally {
    encoder.dispose();
    head?.dispose();
  }
}

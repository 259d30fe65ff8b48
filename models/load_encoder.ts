// Copyright 2026 the simclr authors. MIT license.
import * as tf from "@tensorflow/tfjs-core";
import { checkFileRecord } from "@simclr/internal/file-record";
import { sha256Hex } from "@simclr/internal/sha256";
import { CheckpointError } from "./checkpoint_error.ts";
import { decodeSafetensors } from "./load_safetensors.ts";
import { decodeTorchCheckpoint } from "./load_torch_checkpoint.ts";
import { MLPHead } from "./mlp_head.ts";
import { ResNetEncoder } from "./resnet_encoder.ts";

/** The network a checkpoint holds, as {@linkcode loadEncoder} found it. */
export interface EncoderConfig {
  /** Residual block type. */
  block: "basic" | "bottleneck";
  /** Blocks per stage (`[2, 2, 2, 2]`: ResNet-18). */
  layers: [number, number, number, number];
  /** Base channel count. */
  width: number;
  /** The stem variant. */
  stem: "imagenet" | "cifar";
  /** Output size of the projection head, when the checkpoint has one (`fc.2.weight`). */
  hiddenDim?: number;
  /** Image side the network was trained at, when the checkpoint records it. */
  imageSize?: number;
}

/** Settings that replace what the checkpoint says (e.g. from command-line flags). */
export type EncoderOverrides = Partial<Pick<EncoderConfig, "width" | "stem" | "imageSize">>;

/** What {@linkcode loadEncoder} returns. */
export interface LoadedEncoder {
  /** The encoder (`h`, the projection head left out), weights loaded; the caller disposes it. */
  encoder: ResNetEncoder;
  /** Its configuration: overrides, else the checkpoint's metadata, else its tensor shapes. */
  config: EncoderConfig;
  /** The file format, detected from the bytes. */
  format: "safetensors" | "torch";
  /** The prefix the encoder's keys carry in the file (`"convnet."` in the tutorial's). */
  prefix: string;
  /** SHA-256 of the file's bytes (hex), e.g. for feature-cache keys. */
  digest: string;
  /** The run's configuration (ours) or Lightning's `hyper_parameters` (`{}` when absent). */
  metadata: Record<string, unknown>;
  /**
   * With `options.head`: the head under `fc.` (the projection head `z`; a classifier's `fc`),
   * weights loaded, the caller disposes it; `null` when the checkpoint has none, or unasked.
   */
  head: MLPHead | null;
}

/** Options of {@linkcode loadEncoder}. */
export interface LoadEncoderOptions {
  /** Load the head under `fc.` too (Linear layers, BatchNorm between them if present). */
  head?: boolean;
}

/** The keys of a torchvision ResNet body (the modules with state before `fc`). */
const ENCODER_KEY = /^(conv1|bn1|layer[1-4])\./;

/** Which format the bytes are: safetensors, PyTorch's zip ("PK") or legacy pickle (0x80). */
function detectFormat(bytes: Uint8Array): "safetensors" | "torch" | null {
  const torch = (bytes[0] === 0x50 && bytes[1] === 0x4b) || bytes[0] === 0x80;
  // safetensors: an 8-byte little-endian header length, then a JSON object. The length's first
  // byte can be 0x80 or "P" too, but a zip's byte 8 is its compression method and a pickle's
  // lies in torch's magic number: neither is "{". A length past the end is a torn safetensors
  // file unless the bytes start as PyTorch's do.
  if (bytes.length > 9 && bytes[8] === 0x7b) {
    const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (!torch || headerLength <= BigInt(bytes.length - 8)) return "safetensors";
  }
  return torch ? "torch" : null;
}

/** The ResNet layout the keys under `prefix` describe. */
function configFromShapes(
  stateDict: Map<string, tf.Tensor>,
  prefix: string,
): Omit<EncoderConfig, "imageSize"> {
  const conv1 = stateDict.get(`${prefix}conv1.weight`)!.shape; // [width, 3, k, k]
  const block = stateDict.has(`${prefix}layer1.0.conv3.weight`) ? "bottleneck" : "basic";
  const layers = [1, 2, 3, 4].map((stage) => {
    let blocks = 0;
    while (stateDict.has(`${prefix}layer${stage}.${blocks}.conv1.weight`)) blocks++;
    return blocks;
  }) as [number, number, number, number];
  const head = stateDict.get(`${prefix}fc.2.weight`)?.shape; // [hiddenDim, 4 * hiddenDim]
  return {
    block,
    layers,
    width: conv1[0],
    stem: conv1[2] === 3 ? "cifar" : "imagenet",
    ...(head ? { hiddenDim: head[0] } : {}),
  };
}

/**
 * Checks a checkpoint `fit()` wrote against the size and SHA-256 its JSON (`last.json` beside
 * `last.safetensors`) records, when there is one: a file damaged since (a crash of the
 * machine, a disk fault) loads as garbage weights otherwise.
 */
async function checkAgainstRecord(path: string, bytes: Uint8Array, digest: string) {
  if (!path.endsWith(".safetensors")) return;
  const recordPath = path.replace(/\.safetensors$/, ".json");
  let record: unknown;
  try {
    record = JSON.parse(await Deno.readTextFile(recordPath))?.files?.weights;
  } catch {
    return; // no record beside it (or not ours)
  }
  const { bytes: size, sha256 } = (record ?? {}) as Record<string, unknown>;
  if (typeof size !== "number" || typeof sha256 !== "string") return;
  const damage = await checkFileRecord(path, bytes, { bytes: size, sha256 }, recordPath, digest);
  if (damage) throw new CheckpointError(damage);
}

/** The configuration values our checkpoints record (the run's config) that describe the net. */
function configFromMetadata(metadata: Record<string, unknown>): Partial<EncoderConfig> {
  const picked: Partial<EncoderConfig> = {};
  if (typeof metadata.width === "number") picked.width = metadata.width;
  if (metadata.stem === "imagenet" || metadata.stem === "cifar") picked.stem = metadata.stem;
  if (typeof metadata.imageSize === "number") picked.imageSize = metadata.imageSize;
  const hiddenDim = metadata.hiddenDim ?? metadata.hidden_dim; // ours, the tutorial's
  if (typeof hiddenDim === "number") picked.hiddenDim = hiddenDim;
  return picked;
}

/**
 * Loads the encoder of a checkpoint, whatever wrote it: our safetensors files (`fit()`'s
 * `last`/`best`, `saveSafetensors`), PyTorch `torch.save` files and Lightning checkpoints such
 * as the tutorial's `SimCLR.ckpt` (the format is detected from the bytes). The encoder's keys
 * are found under any prefix (`convnet.`, `model.`, none...; the shortest when several hold a
 * ResNet, e.g. BYOL's online encoder beside its `target.` copy), only the body's keys are
 * loaded (`conv1`, `bn1`, `layer1`-`layer4`: a projection head `fc.*`, a predictor or a
 * target network are left out), and the network is described by, in order: `overrides`, the checkpoint's metadata
 * (our run configuration), the tensors' shapes (width and stem from `conv1.weight`, blocks per
 * stage from the keys). Loading is strict: a key missing, unexpected or of the wrong shape is
 * a {@linkcode CheckpointError} that names the file, as is a file that cannot be read, is not
 * a checkpoint (a PNG), is cut short, or differs from the size and SHA-256 that `fit()`'s JSON
 * beside it (`last.json` for `last.safetensors`) records.
 *
 * @param source A file path, or the file's bytes.
 * @param overrides Settings that replace the checkpoint's (width, stem, image size).
 * @param options `head: true` loads the head under `fc.` too (e.g. for projections `z`).
 * @returns The encoder, its configuration, the format, the prefix, a digest, the metadata and
 *   (when asked) the head.
 *
 * @example Round trip through our format
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { loadEncoder, saveSafetensors, simclrNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ width: 4, hiddenDim: 8, stem: "cifar" });
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const state = net.stateDict();
 * await saveSafetensors(path, state, { config: JSON.stringify({ imageSize: 32 }) });
 * const { encoder, config } = await loadEncoder(path);
 * assert.deepEqual(config, {
 *   block: "basic", layers: [2, 2, 2, 2], width: 4, stem: "cifar", hiddenDim: 8, imageSize: 32,
 * });
 * const x = tf.ones([1, 32, 32, 3]) as tf.Tensor4D;
 * const [h1, h2] = [net.encoder.apply(x, { training: false }), encoder.apply(x, { training: false })];
 * assert.deepEqual(await h1.data(), await h2.data());
 * tf.dispose([x, h1, h2, ...state.values()]);
 * net.dispose();
 * encoder.dispose();
 * await Deno.remove(path);
 * ```
 */
export async function loadEncoder(
  source: string | Uint8Array,
  overrides: EncoderOverrides = {},
  options: LoadEncoderOptions = {},
): Promise<LoadedEncoder> {
  if (typeof source !== "string") {
    return await decode(source, overrides, options, "the checkpoint bytes");
  }
  const name = `checkpoint ${source}`;
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(source);
  } catch (error) {
    throw new CheckpointError(
      `${name}: cannot read it (${(error as Error).message}): expected a safetensors file ` +
        "or a PyTorch (Lightning) checkpoint",
      { cause: error },
    );
  }
  const digest = await sha256Hex(bytes);
  await checkAgainstRecord(source, bytes, digest);
  return await decode(bytes, overrides, options, name, digest);
}

/**
 * Loads the encoder of a checkpoint's bytes, as {@linkcode loadEncoder} loads a file: the part
 * of it that touches no file, for callers without one (a browser's `File`).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { decodeEncoder, encodeSafetensors, simclrNet } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = simclrNet({ width: 4, hiddenDim: 8, stem: "cifar" });
 * const state = net.stateDict();
 * const { encoder, config, format } = await decodeEncoder(await encodeSafetensors(state));
 * assert.equal(format, "safetensors");
 * assert.deepEqual([config.width, config.stem, config.hiddenDim], [4, "cifar", 8]);
 * tf.dispose([...state.values()]);
 * net.dispose();
 * encoder.dispose();
 * ```
 *
 * @param bytes The file's bytes.
 * @param overrides Settings that replace the checkpoint's (width, stem, image size).
 * @param options What else to load (the head).
 * @returns The encoder, its configuration, the format, the prefix, a digest and the metadata.
 */
export function decodeEncoder(
  bytes: Uint8Array,
  overrides: EncoderOverrides = {},
  options: LoadEncoderOptions = {},
): Promise<LoadedEncoder> {
  return decode(bytes, overrides, options, "the checkpoint bytes");
}

/**
 * The body of both loaders; `name` (the file, or the bytes) goes into the messages, `digest`
 * is the bytes' SHA-256 where the caller has it already.
 */
async function decode(
  bytes: Uint8Array,
  overrides: EncoderOverrides,
  options: LoadEncoderOptions,
  name: string,
  digest?: string,
): Promise<LoadedEncoder> {
  const format = detectFormat(bytes);
  if (format === null) {
    throw new CheckpointError(
      `${name}: not a checkpoint: expected a safetensors file or a PyTorch (Lightning) checkpoint`,
    );
  }
  let stateDict: Map<string, tf.Tensor>;
  let metadata: Record<string, unknown> = {};
  try {
    if (format === "torch") {
      const checkpoint = decodeTorchCheckpoint(bytes);
      stateDict = checkpoint.stateDict;
      metadata = checkpoint.hyperParameters;
    } else {
      const file = decodeSafetensors(bytes);
      stateDict = file.tensors;
      if (file.metadata.config !== undefined) metadata = JSON.parse(file.metadata.config);
    }
  } catch (error) {
    throw new CheckpointError(`${name}: unreadable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    // The shortest prefix under which a ResNet starts (an EMA copy may sit under a longer one).
    const prefix = [...stateDict.keys()]
      .filter((key) => key.endsWith("conv1.weight"))
      .map((key) => key.slice(0, -"conv1.weight".length))
      .filter((p) => stateDict.has(`${p}layer1.0.conv1.weight`))
      .sort((a, b) => a.length - b.length)[0];
    if (prefix === undefined) {
      throw new CheckpointError(
        `${name}: has no "conv1.weight" under any prefix: expected a ResNet's weights`,
      );
    }
    const config: EncoderConfig = {
      ...configFromShapes(stateDict, prefix),
      ...configFromMetadata(metadata),
      ...overrides,
    };
    let encoder: ResNetEncoder;
    try {
      encoder = new ResNetEncoder(config);
    } catch (error) {
      throw new CheckpointError(
        `${name}: describes no ResNet (${JSON.stringify(config)}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    // The encoder's own keys: conv1, bn1 and layer1-4 under the prefix. Heads (`fc.`), a
    // predictor, a target network (`target.conv1...`) or counters beside them are left out.
    const own = new Map(
      [...stateDict].filter(([key]) =>
        key.startsWith(prefix) && ENCODER_KEY.test(key.slice(prefix.length))
      ),
    );
    try {
      encoder.loadStateDict(own, { prefix, strict: true });
    } catch (error) {
      encoder.dispose();
      const detail = (error as Error).message.replace(/^loadStateDict\(\): /, "");
      throw new CheckpointError(
        `${name} does not fit ResNetEncoder(width ${config.width}, stem ${config.stem}, ` +
          `layers [${config.layers}]): ${
            detail.length > 400 ? `${detail.slice(0, 400)}…` : detail
          }` +
          (Object.keys(overrides).length
            ? `; check the overrides ${JSON.stringify(overrides)}`
            : ""),
        { cause: error },
      );
    }
    let head: MLPHead | null = null;
    if (options.head) {
      try {
        head = loadHead(stateDict, `${prefix}fc.`, name);
      } catch (error) {
        encoder.dispose();
        throw error;
      }
    }
    digest ??= await sha256Hex(bytes);
    return { encoder, config, format, prefix, digest, metadata, head };
  } finally {
    tf.dispose([...stateDict.values()]);
  }
}

/**
 * The `MLPHead` whose weights lie under `prefix` (`fc.weight`, or `fc.0.weight`, `fc.2.weight`,
 * ..., with `fc.1.running_mean`... when BatchNorm sits between them), or `null` without one.
 */
function loadHead(stateDict: Map<string, tf.Tensor>, prefix: string, name: string): MLPHead | null {
  const keys = [...stateDict.keys()].filter((k) => k.startsWith(prefix));
  if (keys.length === 0) return null;
  const single = stateDict.get(`${prefix}weight`);
  const linears = single
    ? [single]
    : keys.filter((k) =>
      /^\d+\.weight$/.test(k.slice(prefix.length)) && stateDict.get(k)!.rank === 2
    )
      .sort((a, b) => parseInt(a.slice(prefix.length)) - parseInt(b.slice(prefix.length)))
      .map((k) => stateDict.get(k)!);
  if (linears.length === 0) {
    throw new CheckpointError(`${name}: the head under "${prefix}" has no linear layer`);
  }
  const sizes: number[] = [linears[0].shape[1]!, ...linears.map((w) => w.shape[0]!)];
  const head = new MLPHead(sizes, {
    batchNorm: keys.some((k) => k.endsWith(".running_mean")),
    bias: stateDict.has(single ? `${prefix}bias` : `${prefix}0.bias`),
  });
  try {
    head.loadStateDict(new Map(keys.map((k) => [k, stateDict.get(k)!])), { prefix, strict: true });
  } catch (error) {
    head.dispose();
    throw new CheckpointError(
      `${name}: the head under "${prefix}" does not fit MLPHead([${sizes}]): ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  return head;
}

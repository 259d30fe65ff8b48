import { CheckpointError } from "./checkpoint_error.ts";
import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { unzipSync } from "fflate";
import { halfToNumber } from "./_float16.ts";
import {
  PyGlobal,
  type StorageRef,
  TensorRef,
  torchPersistentLoad,
  unpickle,
} from "./_unpickle.ts";

/** What {@linkcode loadTorchCheckpoint} returns. */
export interface TorchCheckpoint {
  /** The model's tensors by key, in PyTorch layout (new tensors: the caller disposes them). */
  stateDict: Map<string, tf.Tensor>;
  /** Lightning's `hyper_parameters` as plain values (`{}` when absent). */
  hyperParameters: Record<string, unknown>;
}

/** Bytes per element and a reader to float32/int32 for each storage type. */
const STORAGE_DTYPES: Record<string, { bytes: number; dtype: "float32" | "int32" | "bool" }> = {
  FloatStorage: { bytes: 4, dtype: "float32" },
  HalfStorage: { bytes: 2, dtype: "float32" },
  BFloat16Storage: { bytes: 2, dtype: "float32" },
  DoubleStorage: { bytes: 8, dtype: "float32" },
  LongStorage: { bytes: 8, dtype: "int32" },
  IntStorage: { bytes: 4, dtype: "int32" },
  ShortStorage: { bytes: 2, dtype: "int32" },
  CharStorage: { bytes: 1, dtype: "int32" },
  ByteStorage: { bytes: 1, dtype: "int32" },
  BoolStorage: { bytes: 1, dtype: "bool" },
};

/** Element `i` of a storage as a number. */
function storageReader(type: string, bytes: Uint8Array, key: string): (i: number) => number {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  switch (type) {
    case "FloatStorage":
      return (i) => v.getFloat32(4 * i, true);
    case "HalfStorage":
      return (i) => halfToNumber(v.getUint16(2 * i, true));
    case "BFloat16Storage":
      return (i) => {
        u32[0] = v.getUint16(2 * i, true) << 16;
        return f32[0];
      };
    case "DoubleStorage":
      return (i) => v.getFloat64(8 * i, true);
    case "LongStorage":
      return (i) => {
        const x = v.getBigInt64(8 * i, true);
        if (x > 2147483647n || x < -2147483648n) {
          throw new CheckpointError(
            `loadTorchCheckpoint(): int64 storage ${key} holds ${x}, outside the int32 range`,
          );
        }
        return Number(x);
      };
    case "IntStorage":
      return (i) => v.getInt32(4 * i, true);
    case "ShortStorage":
      return (i) => v.getInt16(2 * i, true);
    case "CharStorage":
      return (i) => v.getInt8(i);
    default: // ByteStorage, BoolStorage
      return (i) => v.getUint8(i);
  }
}

/** Whether strides are row-major contiguous for the shape. */
function isContiguous(shape: number[], stride: number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}

/** Reads the archive's storages on demand and turns tensor views into tf tensors. */
class Materializer {
  readonly #files: Record<string, Uint8Array>;
  readonly #root: string;
  constructor(files: Record<string, Uint8Array>, root: string) {
    this.#files = files;
    this.#root = root;
  }

  tensor(ref: TensorRef): tf.Tensor {
    const { values, dtype } = this.values(ref);
    return tf.tensor(values, ref.shape, dtype);
  }

  /** The view's elements in row-major order, and the tf dtype they map to. */
  values(
    ref: TensorRef,
  ): { values: Float32Array | Int32Array; dtype: "float32" | "int32" | "bool" } {
    const { storage, offset, shape, stride } = ref;
    const info = STORAGE_DTYPES[storage.type];
    const bytes = this.#storageBytes(storage, info.bytes);
    const read = storageReader(storage.type, bytes, storage.key);
    const size = shape.reduce((a, b) => a * b, 1);
    const out = info.dtype === "float32" ? new Float32Array(size) : new Int32Array(size);
    // Walk the view in row-major order: index -> storage offset through the strides.
    let last = offset;
    for (let d = 0; d < shape.length; d++) if (shape[d] > 0) last += (shape[d] - 1) * stride[d];
    if (size > 0 && (offset < 0 || last >= storage.numel || last * info.bytes >= bytes.length)) {
      throw new CheckpointError(
        `loadTorchCheckpoint(): a tensor view of storage ${storage.key} reaches element ${last}, ` +
          `past its ${storage.numel} elements`,
      );
    }
    if (storage.type === "FloatStorage" && isContiguous(shape, stride)) {
      // Fast path: copy the bytes (the zip entry may be unaligned for a Float32Array view).
      const copy = bytes.slice(4 * offset, 4 * (offset + size));
      return { values: new Float32Array(copy.buffer, 0, size), dtype: "float32" };
    }
    const index = new Array<number>(shape.length).fill(0);
    let at = offset;
    for (let i = 0; i < size; i++) {
      out[i] = read(at);
      for (let d = shape.length - 1; d >= 0; d--) {
        index[d]++;
        at += stride[d];
        if (index[d] < shape[d]) break;
        at -= stride[d] * shape[d];
        index[d] = 0;
      }
    }
    return { values: out, dtype: info.dtype };
  }

  #storageBytes(storage: StorageRef, bytesPer: number): Uint8Array {
    const name = `${this.#root}data/${storage.key}`;
    const bytes = this.#files[name];
    if (bytes === undefined) {
      throw new CheckpointError(
        `loadTorchCheckpoint(): the archive lacks the storage file ${name}`,
      );
    }
    if (bytes.length < storage.numel * bytesPer) {
      throw new CheckpointError(
        `loadTorchCheckpoint(): storage ${name} has ${bytes.length} bytes, expected ` +
          `${storage.numel * bytesPer}`,
      );
    }
    return bytes;
  }
}

/** Python values to JSON-like values (dicts to objects, tuples/lists/sets to arrays). */
function toPlain(value: unknown, m: Materializer): unknown {
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v, m);
    return out;
  }
  if (value instanceof Set || Array.isArray(value)) return Array.from(value, (v) => toPlain(v, m));
  if (value instanceof TensorRef) {
    const { values } = m.values(value);
    return value.shape.length === 0 ? values[0] : Array.from(values);
  }
  if (value instanceof PyGlobal) return value.toString();
  if (typeof value === "bigint") return Number(value);
  return value;
}

const isStateDict = (v: unknown): v is Map<unknown, unknown> =>
  v instanceof Map && v.size > 0 && [...v.values()].every((t) => t instanceof TensorRef);

/**
 * Reads a PyTorch checkpoint in the zip format of `torch.save` (PyTorch >= 1.6), such as the
 * tutorial's Lightning files (`SimCLR.ckpt`, `ResNet.ckpt`), with a restricted unpickler that
 * builds tensors and plain containers and never runs code: a checkpoint that calls a global
 * outside the allow-list (tensor rebuilders, `OrderedDict`, `Counter`, Lightning's
 * `AttributeDict`, `set`, ...) is refused with an error naming it; globals only referenced
 * (e.g. callback classes used as dict keys) stay inert. float16/bfloat16/float64 become
 * float32, integer storages int32 (an out-of-range int64 is an error), bool stays bool.
 *
 * The state dict is `checkpoint["state_dict"]` when present (Lightning), else the top-level
 * dict of tensors (a plain `torch.save(model.state_dict())`). Optimizer and scheduler states
 * are parsed but not materialised.
 *
 * @example Load a Lightning checkpoint into the tutorial's network
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { loadTorchCheckpoint, simclrNet, type TorchCheckpoint } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const url = new URL("./testdata/simclr_w3.ckpt", import.meta.url);
 * const checkpoint: TorchCheckpoint = await loadTorchCheckpoint(url.pathname);
 * const { stateDict, hyperParameters } = checkpoint;
 * assert.deepStrictEqual(hyperParameters.hidden_dim, 16);
 * const net = simclrNet({ hiddenDim: 16, width: 3 });
 * net.loadStateDict(stateDict, { prefix: "convnet." });
 * tf.dispose([...stateDict.values()]);
 * net.dispose();
 * ```
 *
 * @param source A file path, or the file's bytes.
 * @returns The state dict (new tensors) and the hyper-parameters.
 */
export async function loadTorchCheckpoint(source: string | Uint8Array): Promise<TorchCheckpoint> {
  const fn = "loadTorchCheckpoint()";
  if (typeof source === "string") return decode(fn, await Deno.readFile(source));
  if (source instanceof Uint8Array) return decode(fn, source);
  throw new TypeError(argumentMessage(fn, `source is ${show(source)}`, "a path or a Uint8Array"));
}

/**
 * Reads the bytes of a PyTorch checkpoint, as {@linkcode loadTorchCheckpoint} reads a file:
 * the part of it that touches no file, for callers without one (a browser's `File`).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { decodeTorchCheckpoint } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const bytes = await Deno.readFile(new URL("./testdata/simclr_w3.ckpt", import.meta.url));
 * const { stateDict, hyperParameters } = decodeTorchCheckpoint(bytes);
 * assert.equal(hyperParameters.hidden_dim, 16);
 * assert.deepEqual(stateDict.get("convnet.conv1.weight")!.shape, [3, 3, 7, 7]); // OIHW
 * tf.dispose([...stateDict.values()]);
 * ```
 *
 * @param bytes The file's bytes.
 * @returns The state dict (new tensors) and the hyper-parameters.
 */
export function decodeTorchCheckpoint(bytes: Uint8Array): TorchCheckpoint {
  const fn = "decodeTorchCheckpoint()";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(argumentMessage(fn, `bytes is ${show(bytes)}`, "a Uint8Array"));
  }
  return decode(fn, bytes);
}

/** The body of both readers; `fn` goes into the messages. */
function decode(fn: string, data: Uint8Array): TorchCheckpoint {
  if (data.length < 4 || data[0] !== 0x50 || data[1] !== 0x4b) {
    throw new CheckpointError(
      `${fn}: source is not a zip archive: only the zip format of torch.save (PyTorch >= 1.6) ` +
        `is supported; re-save legacy files with a recent torch`,
    );
  }
  const files = unzipSync(data);
  const pkl = Object.keys(files).find((n) => n === "data.pkl" || n.endsWith("/data.pkl"));
  if (pkl === undefined) throw new CheckpointError(`${fn}: the archive has no data.pkl`);
  const root = pkl.slice(0, pkl.length - "data.pkl".length);
  const byteorder = files[`${root}byteorder`];
  if (byteorder && new TextDecoder().decode(byteorder).trim() !== "little") {
    throw new CheckpointError(`${fn}: big-endian checkpoints are not supported`);
  }
  const top = unpickle(files[pkl], torchPersistentLoad);
  const m = new Materializer(files, root);
  let source_: Map<unknown, unknown> | undefined;
  if (top instanceof Map && top.get("state_dict") instanceof Map) {
    source_ = top.get("state_dict") as Map<unknown, unknown>;
  } else if (isStateDict(top)) {
    source_ = top;
  } else if (top instanceof Map) {
    source_ = new Map([...top].filter(([, v]) => v instanceof TensorRef));
  } else {
    throw new CheckpointError(`${fn}: the checkpoint is not a dict (got ${String(top)})`);
  }
  const stateDict = new Map<string, tf.Tensor>();
  try {
    for (const [k, v] of source_) {
      if (v instanceof TensorRef) stateDict.set(String(k), m.tensor(v));
    }
  } catch (e) {
    tf.dispose([...stateDict.values()]);
    throw e;
  }
  const hp = top instanceof Map ? top.get("hyper_parameters") : undefined;
  const hyperParameters = hp instanceof Map ? toPlain(hp, m) as Record<string, unknown> : {};
  return { stateDict, hyperParameters };
}

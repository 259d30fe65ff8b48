import type * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { writeFileAtomic } from "@simclr/internal/write-atomic";

const DTYPE: Partial<Record<tf.DataType, string>> = { float32: "F32", int32: "I32", bool: "BOOL" };

/**
 * Writes tensors to a safetensors file (as `safetensors.torch.save_file` reads it): float32 as
 * `F32`, int32 as `I32`, bool as `BOOL`, in the tensors' own layout (pass a `stateDict()` for
 * PyTorch layout). The file is written to a temporary name and renamed, so a reader never sees
 * half a file. The tensors stay the caller's.
 *
 * @example Save a network's weights
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { loadSafetensors, resnet18, saveSafetensors } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const net = resnet18({ width: 4, numClasses: 10 });
 * const state = net.stateDict();
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * await saveSafetensors(path, state, { format: "pt" });
 * const { tensors, metadata } = await loadSafetensors(path);
 * assert.deepStrictEqual(tensors.get("conv1.weight")!.shape, [4, 3, 7, 7]);
 * assert.deepStrictEqual(metadata, { format: "pt" });
 * tf.dispose([...state.values(), ...tensors.values()]);
 * net.dispose();
 * ```
 *
 * @param path Destination file.
 * @param tensors Tensors by name (float32, int32 or bool).
 * @param metadata Optional string-to-string metadata (`__metadata__`).
 * @returns When the file is in place.
 */
export async function saveSafetensors(
  path: string,
  tensors: Map<string, tf.Tensor>,
  metadata?: Record<string, string>,
): Promise<void> {
  const fn = "saveSafetensors()";
  if (typeof path !== "string" || path === "") {
    throw new TypeError(argumentMessage(fn, `path is ${show(path)}`, "a non-empty string"));
  }
  await writeFileAtomic(path, await encode(fn, tensors, metadata));
}

/**
 * The bytes of a safetensors file, as {@linkcode saveSafetensors} writes them: the part of it
 * that touches no file, for callers without one (a browser's download). The tensors stay the
 * caller's.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { encodeSafetensors } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const a = tf.tensor1d([1, 2]);
 * const bytes = await encodeSafetensors(new Map([["a", a]]));
 * const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, bytes.length - 8)));
 * assert.deepStrictEqual(header, { a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } });
 * a.dispose();
 * ```
 *
 * @param tensors Tensors by name (float32, int32 or bool).
 * @param metadata Optional string-to-string metadata (`__metadata__`).
 * @returns The file's bytes.
 */
export function encodeSafetensors(
  tensors: Map<string, tf.Tensor>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  return encode("encodeSafetensors()", tensors, metadata);
}

/** The body of both writers; `fn` goes into the messages. */
async function encode(
  fn: string,
  tensors: Map<string, tf.Tensor>,
  metadata?: Record<string, string>,
): Promise<Uint8Array> {
  if (!(tensors instanceof Map)) {
    throw new TypeError(argumentMessage(fn, `tensors is ${show(tensors)}`, "a Map"));
  }
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new TypeError(argumentMessage(fn, `metadata[${show(k)}] is ${show(v)}`, "a string"));
      }
    }
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__") {
      throw new TypeError(
        argumentMessage(fn, 'tensors has "__metadata__"', "names other than this reserved one"),
      );
    }
    const dtype = DTYPE[t.dtype];
    if (dtype === undefined) {
      throw new TypeError(
        argumentMessage(
          fn,
          `tensors[${show(name)}] has dtype ${t.dtype}`,
          "float32, int32 or bool",
        ),
      );
    }
    const values = await t.data();
    const bytes = t.dtype === "bool"
      ? Uint8Array.from(values as Uint8Array)
      : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    header[name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  const parts = [prefix, json, ...chunks];
  const file = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    file.set(part, at);
    at += part.length;
  }
  return file;
}

import * as tf from "@tensorflow/tfjs-core";
import { argumentMessage, show } from "@simclr/internal/checks";
import { DTYPE_BYTES, MAX_HEADER_BYTES } from "./_safetensors_format.ts";
import { halfToNumber } from "./_float16.ts";
import { CheckpointError } from "./checkpoint_error.ts";

/** What {@linkcode loadSafetensors} returns. */
export interface Safetensors {
  /** Tensors by name in file order (new tensors: the caller disposes them). */
  tensors: Map<string, tf.Tensor>;
  /** The `__metadata__` strings (`{}` when absent). */
  metadata: Record<string, string>;
}

function decodeValues(name: string, dtype: string, bytes: Uint8Array, n: number): tf.TypedArray {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F32":
      return new Float32Array(bytes.slice().buffer);
    case "F64":
      return Float32Array.from({ length: n }, (_, i) => v.getFloat64(8 * i, true));
    case "F16":
      return Float32Array.from({ length: n }, (_, i) => halfToNumber(v.getUint16(2 * i, true)));
    case "BF16": {
      const u = new Uint32Array(n);
      for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16;
      return new Float32Array(u.buffer);
    }
    case "I64":
      return Int32Array.from({ length: n }, (_, i) => {
        const x = v.getBigInt64(8 * i, true);
        if (x > 2147483647n || x < -2147483648n) {
          throw new RangeError(
            `loadSafetensors(): I64 tensor "${name}" holds ${x}, outside the int32 range`,
          );
        }
        return Number(x);
      });
    case "I32":
      return new Int32Array(bytes.slice().buffer);
    case "I16":
      return Int32Array.from({ length: n }, (_, i) => v.getInt16(2 * i, true));
    case "I8":
      return Int32Array.from({ length: n }, (_, i) => v.getInt8(i));
    case "U8":
      return Int32Array.from(bytes);
    default: // BOOL
      return Uint8Array.from(bytes, (b) => (b ? 1 : 0));
  }
}

/**
 * Reads a safetensors file (as written by `safetensors.torch.save_file` or
 * {@linkcode saveSafetensors}). Floats (F32, F16, BF16, F64) become float32 tensors, integers
 * (I64 in the int32 range, I32, I16, I8, U8) int32, BOOL bool. The header is validated: known
 * dtypes, shapes matching the byte ranges, ranges inside the file, contiguous and
 * non-overlapping.
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { loadSafetensors, type Safetensors, saveSafetensors } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const path = await Deno.makeTempFile({ suffix: ".safetensors" });
 * const a = tf.tensor2d([[1, 2], [3, 4]]);
 * await saveSafetensors(path, new Map([["a", a]]));
 * const file: Safetensors = await loadSafetensors(path);
 * const { tensors } = file;
 * assert.deepStrictEqual(await tensors.get("a")!.array(), [[1, 2], [3, 4]]);
 * tf.dispose([a, ...tensors.values()]);
 * ```
 *
 * @param source The file's path, or its bytes.
 * @returns The tensors and the metadata.
 */
export async function loadSafetensors(source: string | Uint8Array): Promise<Safetensors> {
  const fn = "loadSafetensors()";
  if (!(source instanceof Uint8Array) && (typeof source !== "string" || source === "")) {
    throw new TypeError(argumentMessage(fn, `source is ${show(source)}`, "a path or bytes"));
  }
  if (typeof source !== "string") return decode(fn, "the bytes", source);
  return decode(fn, source, await Deno.readFile(source));
}

/**
 * Reads safetensors bytes, as {@linkcode loadSafetensors} reads a file: the part of it that
 * touches no file, for callers without one (a browser's `File`, a download).
 *
 * @example
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { decodeSafetensors, encodeSafetensors } from "@simclr/models";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const a = tf.tensor1d([1, 2, 3]);
 * const { tensors, metadata } = decodeSafetensors(await encodeSafetensors(new Map([["a", a]]), { k: "v" }));
 * assert.deepStrictEqual(await tensors.get("a")!.array(), [1, 2, 3]);
 * assert.deepStrictEqual(metadata, { k: "v" });
 * tf.dispose([a, ...tensors.values()]);
 * ```
 *
 * @param bytes The file's bytes.
 * @returns The tensors and the metadata.
 */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  const fn = "decodeSafetensors()";
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(argumentMessage(fn, `bytes is ${show(bytes)}`, "a Uint8Array"));
  }
  return decode(fn, "the bytes", bytes);
}

/** The body of both readers: `fn` and `name` (a path or "the bytes") go into the messages. */
function decode(fn: string, name: string, data: Uint8Array): Safetensors {
  const bad = (what: string) =>
    new CheckpointError(`${fn}: ${name} is not a valid safetensors file: ${what}`);
  if (data.length < 8) throw bad(`${data.length} bytes, expected at least 8`);
  const n = new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, data.length - 8))) {
    throw bad(`header length ${n} exceeds the file (${data.length} bytes)`);
  }
  const headerEnd = 8 + Number(n);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(
      new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(8, headerEnd)),
    );
  } catch (e) {
    throw bad(`the header is not JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw bad("the header is not a JSON object");
  }
  const metadata: Record<string, string> = {};
  const entries: { name: string; dtype: string; shape: number[]; begin: number; end: number }[] =
    [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== "string") throw bad(`metadata "${k}" is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (typeof dtype !== "string" || !(dtype in DTYPE_BYTES)) {
      throw bad(
        `tensor "${name}" has dtype ${JSON.stringify(dtype)}, expected one of ` +
          Object.keys(DTYPE_BYTES).join(", "),
      );
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw bad(`tensor "${name}" has shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      offsets.some((o) => !Number.isInteger(o) || o < 0) || offsets[1] < offsets[0]
    ) {
      throw bad(`tensor "${name}" has data_offsets ${JSON.stringify(offsets)}`);
    }
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if ((offsets[1] - offsets[0]) !== size * DTYPE_BYTES[dtype]) {
      throw bad(
        `tensor "${name}" of shape [${shape}] and dtype ${dtype} needs ` +
          `${size * DTYPE_BYTES[dtype]} bytes, its data_offsets span ${offsets[1] - offsets[0]}`,
      );
    }
    entries.push({ name, dtype, shape, begin: offsets[0], end: offsets[1] });
  }
  const sorted = [...entries].sort((a, b) => a.begin - b.begin);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin !== expected) {
      throw bad(`tensor "${e.name}" starts at ${e.begin}, expected ${expected} (gap or overlap)`);
    }
    expected = e.end;
  }
  if (headerEnd + expected !== data.length) {
    throw bad(`the tensors span ${expected} bytes, the file holds ${data.length - headerEnd}`);
  }
  const tensors = new Map<string, tf.Tensor>();
  try {
    for (const e of entries) {
      const bytes = data.subarray(headerEnd + e.begin, headerEnd + e.end);
      const size = e.shape.reduce((a, b) => a * b, 1);
      const values = decodeValues(e.name, e.dtype, bytes, size);
      const dtype = e.dtype === "BOOL"
        ? "bool"
        : values instanceof Float32Array
        ? "float32"
        : "int32";
      tensors.set(e.name, tf.tensor(values, e.shape, dtype));
    }
  } catch (err) {
    tf.dispose([...tensors.values()]);
    throw err;
  }
  return { tensors, metadata };
}

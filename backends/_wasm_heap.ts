// Copyright 2026 the simclr authors. MIT license.
// Internal: tensors' bytes on tfjs-wasm's heap, for the kernels that work there in place.
import type * as tf from "@tensorflow/tfjs-core";
import { util } from "@tensorflow/tfjs-core";

/** The parts of tfjs-wasm's backend the kernels use. */
export interface WasmBackend extends tf.KernelBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  incRef(dataId: object): void;
}

/**
 * A view of a tensor's bytes on the wasm heap (re-read: the heap may have grown): float32, or
 * bytes for bool.
 */
export function heapView(backend: WasmBackend, t: tf.TensorInfo): Float32Array | Uint8Array {
  const offset = backend.dataIdMap.get(t.dataId).memoryOffset;
  const size = util.sizeFromShape(t.shape);
  const buffer = backend.wasm.HEAPU8.buffer;
  return t.dtype === "bool"
    ? new Uint8Array(buffer, offset, size)
    : new Float32Array(buffer, offset, size);
}

// Copyright 2026 the simclr authors. MIT license.
/**
 * Kernels written as compositions of tfjs ops, registered for one backend.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";

/** Body of an op-composed kernel: tensors in, one tensor out (ops only, no disposal needed). */
export type OpKernelBody = (inputs: Record<string, tf.Tensor>, attrs: tf.NamedAttrMap) => tf.Tensor;

/**
 * A kernel config whose work is done by ops (which themselves run the backend's kernels).
 * Ops run inside a kernel are not taped, their intermediates are freed, and the result's
 * buffer is handed to the engine with the reference count a kernel output must have.
 *
 * @param kernelName The kernel's name (e.g. `"Conv2DBackpropFilter"`).
 * @param backendName The backend to register for (e.g. `"wasm"`).
 * @param body The computation.
 * @returns A config for `tf.registerKernel`.
 */
export function opKernel(
  kernelName: string,
  backendName: string,
  body: OpKernelBody,
): tf.KernelConfig {
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const kb = backend as tf.KernelBackend;
    const wrapped: tf.Tensor[] = [];
    const callers = new Set<tf.Tensor>();
    const tensors: Record<string, tf.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      if (t instanceof tf.Tensor) {
        tensors[name] = t;
        callers.add(t);
      } else {
        // a TensorInfo from another kernel: give it a Tensor (and a reference) of its own
        kb.incRef(t.dataId);
        const w = tf.engine().makeTensorFromTensorInfo(t, kb);
        wrapped.push(w);
        tensors[name] = w;
      }
    }
    const out = tf.tidy(() => body(tensors, attrs ?? {}));
    // the engine wraps the returned buffer in a new tensor, which needs a reference of its own
    kb.incRef(out.dataId);
    const result: tf.TensorInfo = { dataId: out.dataId, shape: out.shape, dtype: out.dtype };
    if (!callers.has(out)) out.dispose(); // a caller's input stays the caller's
    tf.dispose(wrapped.filter((w) => w !== out));
    return result;
  };
  return { kernelName, backendName, kernelFunc };
}

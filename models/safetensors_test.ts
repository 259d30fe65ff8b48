import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { loadSafetensors } from "./load_safetensors.ts";
import { saveSafetensors } from "./save_safetensors.ts";
import { resnet18 } from "./resnet18.ts";

await tf.setBackend("cpu");

const python = "/usr/bin/python3";
const tool = new URL("../tools/read_safetensors.py", import.meta.url).pathname;
function hasTorch(): boolean {
  try {
    return new Deno.Command(python, { args: ["-c", "import torch, numpy"] }).outputSync().success;
  } catch {
    return false;
  }
}
const noTorch = !hasTorch();
if (noTorch) console.warn(`skipping PyTorch safetensors round trips: ${python} with torch missing`);

interface Summary {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: (number | boolean)[] }>;
}
async function runTool(mode: string, path: string): Promise<Summary> {
  const out = await new Deno.Command(python, { args: [tool, mode, path] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

Deno.test("`saveSafetensors()` and `loadSafetensors()` round-trip tensors and metadata", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/a.safetensors`;
  const tensors = new Map<string, tf.Tensor>([
    ["w", tf.tensor3d([[[1.5, -2], [3, 4e-8]]])],
    ["n", tf.tensor1d([7, -8, 2147483647], "int32")],
    ["b", tf.tensor1d([true, false, true], "bool")],
    ["s", tf.scalar(0.25)],
    ["e", tf.zeros([0, 2])],
  ]);
  await saveSafetensors(path, tensors, { format: "pt", epoch: "3" });
  assert.deepStrictEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.safetensors"]); // no temp left
  const bytes = await Deno.readFile(path);
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.deepStrictEqual(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepStrictEqual(header.w, { dtype: "F32", shape: [1, 2, 2], data_offsets: [0, 16] });
  assert.deepStrictEqual(header.n.dtype, "I32");
  assert.deepStrictEqual(header.__metadata__, { format: "pt", epoch: "3" });
  const before = tf.memory().numTensors;
  const loaded = await loadSafetensors(path);
  assert.deepStrictEqual(loaded.metadata, { format: "pt", epoch: "3" });
  assert.deepStrictEqual([...loaded.tensors.keys()], [...tensors.keys()]);
  for (const [k, t] of tensors) {
    const u = loaded.tensors.get(k)!;
    assert.deepStrictEqual([u.dtype, u.shape], [t.dtype, t.shape]);
    assert.deepStrictEqual(await u.data(), await t.data());
  }
  tf.dispose([...loaded.tensors.values()]);
  assert.deepStrictEqual(tf.memory().numTensors, before);
  tf.dispose([...tensors.values()]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "`saveSafetensors()` files read into PyTorch give the same tensors",
  ignore: noTorch,
  fn: async () => {
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    const net = resnet18({ width: 2, numClasses: 3, seed: 1 });
    const state = net.stateDict();
    state.set("flags", tf.tensor1d([false, true], "bool"));
    await saveSafetensors(path, state, { format: "pt" });
    const summary = await runTool("summary", path);
    assert.deepStrictEqual(summary.metadata, { format: "pt" });
    assert.deepStrictEqual(Object.keys(summary.tensors), [...state.keys()]);
    for (const [k, t] of state) {
      const s = summary.tensors[k];
      const dtype = { float32: "F32", int32: "I32", bool: "BOOL" }[t.dtype as "float32"];
      assert.deepStrictEqual([s.dtype, s.shape], [dtype, t.shape], k);
      assert.deepStrictEqual(s.values.map(Number), Array.from(await t.data()), k);
    }
    tf.dispose([...state.values()]);
    net.dispose();
    await Deno.remove(path);
  },
});

Deno.test({
  name:
    "`loadSafetensors()` reads files written by the PyTorch-side tool (F16, BF16, F64, I64, U8, BOOL)",
  ignore: noTorch,
  fn: async () => {
    const path = await Deno.makeTempFile({ suffix: ".safetensors" });
    const expected = await runTool("write-demo", path);
    const { tensors, metadata } = await loadSafetensors(path);
    assert.deepStrictEqual(metadata, expected.metadata);
    assert.deepStrictEqual([...tensors.keys()], Object.keys(expected.tensors));
    for (const [k, want] of Object.entries(expected.tensors)) {
      const t = tensors.get(k)!;
      const dtype = want.dtype === "BOOL"
        ? "bool"
        : want.dtype.startsWith("F") || want.dtype === "BF16"
        ? "float32"
        : "int32";
      assert.deepStrictEqual([t.dtype, t.shape], [dtype, want.shape], k);
      assert.deepStrictEqual(
        Array.from(await t.data()),
        want.values.map((v) => dtype === "float32" ? Math.fround(v as number) : Number(v)),
        k,
      );
    }
    tf.dispose([...tensors.values()]);
    await Deno.remove(path);
  },
});

/** A file with the given header object and data bytes. */
async function rawFile(header: unknown, data: number, headerLength?: number): Promise<string> {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const bytes = new Uint8Array(8 + json.length + data);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  bytes.set(json, 8);
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("`loadSafetensors()` validates the header", async () => {
  const cases: [unknown, number, string, number?][] = [
    [{ a: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, 4, "the tensors span 8 bytes"],
    [{ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8, "needs 12 bytes"],
    [{ a: { dtype: "C64", shape: [1], data_offsets: [0, 8] } }, 8, 'dtype "C64"'],
    [{ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, 4, "shape [-1]"],
    [
      {
        a: { dtype: "F32", shape: [1], data_offsets: [0, 4] },
        b: { dtype: "F32", shape: [1], data_offsets: [2, 6] },
      },
      6,
      "gap or overlap",
    ],
    [{ __metadata__: { x: 1 } }, 0, 'metadata "x" is not a string'],
    [{}, 0, "header length 1000 exceeds the file", 1000],
  ];
  for (const [header, data, message, length] of cases) {
    const path = await rawFile(header, data, length);
    await assert.rejects(
      () => loadSafetensors(path),
      (e: Error) => e.name === "CheckpointError" && e.message.includes(message as string),
    );
    await Deno.remove(path);
  }
  const path = await Deno.makeTempFile();
  await Deno.writeFile(path, new Uint8Array([1, 2, 3]));
  await assert.rejects(() => loadSafetensors(path), {
    name: "CheckpointError",
    message: /3 bytes, expected at least 8/,
  });
  await Deno.remove(path);
});

Deno.test("`saveSafetensors()` rejects unsupported dtypes and bad metadata, leaving no file", async () => {
  const dir = await Deno.makeTempDir();
  const c = tf.complex([1], [2]);
  await assert.rejects(() => saveSafetensors(`${dir}/x.safetensors`, new Map([["c", c]])), {
    name: "TypeError",
    message: 'saveSafetensors(): tensors["c"] has dtype complex64: expected float32, int32 or bool',
  });
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => saveSafetensors(`${dir}/x.safetensors`, new Map(), { a: 1 as any }),
    { name: "TypeError", message: 'saveSafetensors(): metadata["a"] is 1: expected a string' },
  );
  assert.deepStrictEqual([...Deno.readDirSync(dir)], []);
  c.dispose();
  await Deno.remove(dir);
});

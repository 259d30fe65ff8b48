import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import { zipSync } from "fflate";
import assert from "node:assert/strict";
import { loadTorchCheckpoint } from "./load_torch_checkpoint.ts";
import { testdata } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`loadTorchCheckpoint()` reads dtypes, strided views, offsets and shared storages", async () => {
  const expected: Record<string, { shape: number[]; values: (number | boolean)[] }> = JSON.parse(
    await Deno.readTextFile(testdata("dtypes.json")),
  );
  const before = tf.memory().numTensors;
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(testdata("dtypes.pt"));
  assert.deepStrictEqual(hyperParameters, {});
  assert.deepStrictEqual([...stateDict.keys()], Object.keys(expected));
  const dtypes: Record<string, string> = {
    f32: "float32",
    f32_t: "float32",
    f32_slice: "float32",
    f16: "float32",
    f16_view: "float32",
    bf16: "float32",
    f64: "float32",
    i64: "int32",
    i64_view: "int32",
    i32: "int32",
    u8: "int32",
    bool: "bool",
    scalar: "int32",
    empty: "float32",
  };
  for (const [name, want] of Object.entries(expected)) {
    const t = stateDict.get(name)!;
    assert.deepStrictEqual(t.shape, want.shape, name);
    assert.deepStrictEqual(t.dtype, dtypes[name], name);
    const got = Array.from(await t.data(), Number);
    const values = want.values.map((v) =>
      typeof v === "boolean" ? Number(v) : dtypes[name] === "float32" ? Math.fround(v) : v
    );
    assert.deepStrictEqual(got, values, name);
  }
  tf.dispose([...stateDict.values()]);
  assert.deepStrictEqual(tf.memory().numTensors, before);
});

Deno.test("`loadTorchCheckpoint()` reads a Lightning checkpoint with callbacks, optimizer and scheduler states", async () => {
  const bytes = await Deno.readFile(testdata("simclr_w3.ckpt"));
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(bytes);
  assert.deepStrictEqual(hyperParameters, {
    hidden_dim: 16,
    lr: 5e-4,
    temperature: 0.07,
    weight_decay: 1e-4,
    max_epochs: 500,
    betas: [0.9, 0.999],
    tags: ["simclr", "stl10"],
    big: 2 ** 70,
    flag: true,
    nothing: null,
    nested: { a: 1, b: [1.5, "x"] },
  });
  const keys = [...stateDict.keys()];
  assert.deepStrictEqual(keys.length, 120 + 4); // body, fc.0 and fc.2 (weight, bias)
  assert.ok(keys.every((k) => k.startsWith("convnet.")));
  assert.deepStrictEqual(keys.slice(0, 3), [
    "convnet.conv1.weight",
    "convnet.bn1.weight",
    "convnet.bn1.bias",
  ]);
  assert.deepStrictEqual(stateDict.get("convnet.conv1.weight")!.shape, [3, 3, 7, 7]);
  assert.deepStrictEqual(stateDict.get("convnet.fc.2.weight")!.shape, [16, 64]);
  const nbt = stateDict.get("convnet.bn1.num_batches_tracked")!;
  assert.deepStrictEqual([nbt.dtype, nbt.shape], ["int32", []]);
  tf.dispose([...stateDict.values()]);
});

Deno.test("`loadTorchCheckpoint()` reads pickle protocols 2 and 4 (sets, bytes, tuples, big ints)", async () => {
  for (const protocol of [2, 4]) {
    const { stateDict, hyperParameters } = await loadTorchCheckpoint(
      testdata(`containers_p${protocol}.pt`),
    );
    assert.deepStrictEqual(await stateDict.get("w")!.array(), [[0, 1, 2], [3, 4, 5]]);
    assert.deepStrictEqual(hyperParameters, {
      set: [1, 2],
      frozen: [3],
      bytes: new Uint8Array([0x61, 0x62, 0, 0xff]),
      tuple: [1, [2, 3]],
      float: 1.5,
      neg: -7,
      big: 2 ** 40,
      nested: [{ a: null }],
      text: "\u00e9\u4e2d",
    }, `protocol ${protocol}`);
    tf.dispose([...stateDict.values()]);
  }
});

Deno.test("`loadTorchCheckpoint()` refuses a pickle that calls os.system, without running it", async () => {
  const marker = "/tmp/simclr_models_pwned";
  await Deno.remove(marker).catch(() => {});
  const before = tf.memory().numTensors;
  await assert.rejects(() => loadTorchCheckpoint(testdata("malicious.pt")), {
    name: "CheckpointError",
    message: /refusing to call or construct the global posix\.system/,
  });
  assert.deepStrictEqual(tf.memory().numTensors, before);
  await assert.rejects(() => Deno.stat(marker), Deno.errors.NotFound);
});

/** A torch-like zip holding one hand-written pickle. */
function archive(pickle: number[]): Uint8Array {
  return zipSync({ "archive/data.pkl": new Uint8Array(pickle) }, { level: 0 });
}
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

Deno.test("`loadTorchCheckpoint()` keeps referenced globals inert and refuses constructing them", async () => {
  // {"hyper_parameters": {builtins.eval: 1}}: a global used as a dict key only.
  const inert = [
    0x80,
    2,
    0x7d,
    0x28,
    ...[0x58, 16, 0, 0, 0],
    ...ascii("hyper_parameters"),
    0x7d,
    0x63,
    ...ascii("builtins\neval\n"),
    0x4b,
    1,
    0x73,
    0x75,
    0x2e,
  ];
  const { stateDict, hyperParameters } = await loadTorchCheckpoint(archive(inert));
  assert.deepStrictEqual(stateDict.size, 0);
  assert.deepStrictEqual(hyperParameters, { "builtins.eval": 1 });
  // builtins.eval("1") via REDUCE, and a NEWOBJ of an unknown class.
  const reduce = [0x80, 2, 0x63, ...ascii("builtins\neval\n"), 0x8c, 1, 0x31, 0x85, 0x52, 0x2e];
  await assert.rejects(() => loadTorchCheckpoint(archive(reduce)), {
    name: "CheckpointError",
    message: /global builtins\.eval/,
  });
  const newobj = [0x80, 2, 0x63, ...ascii("subprocess\nPopen\n"), 0x29, 0x81, 0x2e];
  await assert.rejects(() => loadTorchCheckpoint(archive(newobj)), {
    name: "CheckpointError",
    message: /global subprocess\.Popen/,
  });
  const build = [0x80, 2, 0x63, ...ascii("evil\nThing\n"), 0x7d, 0x62, 0x2e];
  await assert.rejects(() => loadTorchCheckpoint(archive(build)), {
    name: "CheckpointError",
    message: /global evil\.Thing/,
  });
});

Deno.test("`loadTorchCheckpoint()` rejects files that are not torch zip checkpoints", async () => {
  await assert.rejects(() => loadTorchCheckpoint(new Uint8Array([0x80, 2, 0x7d, 0x2e])), {
    name: "CheckpointError",
    message: /not a zip archive/,
  });
  await assert.rejects(() => loadTorchCheckpoint(zipSync({ "x/other.txt": new Uint8Array(1) })), {
    name: "CheckpointError",
    message: /no data\.pkl/,
  });
  await assert.rejects(() => loadTorchCheckpoint(archive([0x80, 2, 0x7d])), {
    name: "CheckpointError",
    message: /truncated/,
  });
  await assert.rejects(() => loadTorchCheckpoint(testdata("big_int64.pt")), {
    name: "CheckpointError",
    message: /holds 1099511627776, outside the int32 range/,
  });
  await assert.rejects(
    // deno-lint-ignore no-explicit-any
    () => loadTorchCheckpoint(42 as any),
    {
      name: "TypeError",
      message: "loadTorchCheckpoint(): source is 42: expected a path or a Uint8Array",
    },
  );
});

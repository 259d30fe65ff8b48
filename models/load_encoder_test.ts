import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { CheckpointError } from "./checkpoint_error.ts";
import { loadEncoder } from "./load_encoder.ts";
import { loadSafetensors } from "./load_safetensors.ts";
import { saveSafetensors } from "./save_safetensors.ts";
import { simclrNet } from "./simclr_net.ts";
import { relativeError, testdata } from "./_test_utils.ts";

await tf.setBackend("cpu");

Deno.test("`loadEncoder()` reads the tutorial's Lightning checkpoint: prefix, shapes, hyper-parameters", async () => {
  const loaded = await loadEncoder(testdata("simclr_w3.ckpt"));
  assert.equal(loaded.format, "torch");
  assert.equal(loaded.prefix, "convnet.");
  assert.deepEqual(loaded.config, {
    block: "basic",
    layers: [2, 2, 2, 2],
    width: 3,
    stem: "imagenet",
    hiddenDim: 16,
  });
  assert.equal(loaded.metadata.hidden_dim, 16);
  assert.match(loaded.digest, /^[0-9a-f]{64}$/);
  // The features equal PyTorch's `convnet` with `fc = Identity()`.
  const { tensors } = await loadSafetensors(testdata("simclr_w3_io.safetensors"));
  const h = loaded.encoder.apply(tensors.get("input") as tf.Tensor4D, { training: false });
  const error = await relativeError(h, tensors.get("encoder_output")!);
  assert.ok(error < 1e-4, `encoder error ${error}`);
  tf.dispose([h, ...tensors.values()]);
  loaded.encoder.dispose();
});

Deno.test("`loadEncoder()` finds a bottleneck ResNet-50 under another prefix", async () => {
  const { encoder, config, prefix, format } = await loadEncoder(
    testdata("resnet50_w2_cifar.safetensors"),
  );
  assert.deepEqual([format, prefix], ["safetensors", "model."]);
  assert.deepEqual(config, { block: "bottleneck", layers: [3, 4, 6, 3], width: 2, stem: "cifar" });
  assert.equal(encoder.featureDim, 64);
  encoder.dispose();
});

Deno.test("`loadEncoder()` takes our run configuration from the metadata, overrides over it", async () => {
  const net = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const state = net.stateDict();
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  const config = { width: 2, stem: "cifar", hiddenDim: 4, imageSize: 24, lr: 0.1 };
  await saveSafetensors(path, state, { config: JSON.stringify(config) });
  const bytes = await Deno.readFile(path);
  const fromBytes = await loadEncoder(bytes);
  assert.equal(fromBytes.config.imageSize, 24);
  assert.deepEqual(fromBytes.metadata, config);
  fromBytes.encoder.dispose();
  const overridden = await loadEncoder(path, { imageSize: 16 });
  assert.equal(overridden.config.imageSize, 16);
  overridden.encoder.dispose();
  // An override that contradicts the weights is a CheckpointError naming the file.
  await assert.rejects(() => loadEncoder(path, { width: 3 }), (error: Error) => {
    assert.ok(error instanceof CheckpointError);
    assert.match(
      error.message,
      new RegExp(`checkpoint ${path} does not fit ResNetEncoder\\(width 3`),
    );
    assert.match(
      error.message,
      /mis-shaped keys: conv1\.weight: got \[2, 3, 3, 3\], expected \[3, 3, 3, 3\]/,
    );
    assert.match(error.message, /check the overrides \{"width":3\}/);
    return true;
  });
  tf.dispose([...state.values()]);
  net.dispose();
  await Deno.remove(path);
});

Deno.test("`loadEncoder()` reads safetensors whose header length starts like a PyTorch file", async () => {
  // A header of 0x...80 bytes starts the file with pickle's 0x80, one of 0x4b50 with zip's "PK".
  const net = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const state = net.stateDict();
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  await saveSafetensors(path, state);
  const bytes = await Deno.readFile(path);
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  for (const lowBytes of [0x80, 0x4b50]) {
    const modulus = lowBytes > 0xff ? 0x10000 : 0x100;
    const padded = length + ((lowBytes - length) % modulus + modulus) % modulus;
    const file = new Uint8Array(bytes.length + padded - length);
    new DataView(file.buffer).setBigUint64(0, BigInt(padded), true);
    file.set(bytes.subarray(8, 8 + length), 8);
    file.fill(0x20, 8 + length, 8 + padded); // the format pads its header with spaces
    file.set(bytes.subarray(8 + length), 8 + padded);
    assert.equal(file[0], 0x80 === lowBytes ? 0x80 : 0x50);
    const loaded = await loadEncoder(file);
    assert.equal(loaded.format, "safetensors");
    assert.equal(loaded.config.width, 2);
    loaded.encoder.dispose();
  }
  tf.dispose([...state.values()]);
  net.dispose();
  await Deno.remove(path);
});

Deno.test("`loadEncoder()` rejects files that hold no ResNet, naming them", async () => {
  await assert.rejects(() => loadEncoder(new Uint8Array([1, 2, 3])), {
    name: "CheckpointError",
    message: /the checkpoint bytes: not a checkpoint: expected a safetensors file or a PyTorch/,
  });
  const path = await Deno.makeTempFile({ suffix: ".safetensors" });
  const t = tf.zeros([2]);
  await saveSafetensors(path, new Map([["weight", t]]));
  await assert.rejects(() => loadEncoder(path), {
    name: "CheckpointError",
    message: new RegExp(`checkpoint ${path}: has no "conv1.weight" under any prefix`),
  });
  await Deno.writeFile(path, new Uint8Array([16, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
  await assert.rejects(() => loadEncoder(path), {
    name: "CheckpointError",
    message: /unreadable: .*not a valid safetensors file/,
  });
  await assert.rejects(() => loadEncoder("/no/such/file.ckpt"), {
    name: "CheckpointError",
    message: /^checkpoint \/no\/such\/file\.ckpt: cannot read it \(No such file/,
  });
  t.dispose();
  await Deno.remove(path);
});

Deno.test("`loadEncoder()` names the file and what it expected for a PNG, a folder, a cut or damaged checkpoint, another width", async () => {
  const dir = await Deno.makeTempDir();
  const net = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar" });
  const state = net.stateDict();
  const path = `${dir}/last.safetensors`;
  await saveSafetensors(path, state, { config: JSON.stringify({ width: 2 }) });
  const good = await Deno.readFile(path);
  const expected = (what: string) => ({ name: "CheckpointError", message: new RegExp(what) });
  // A PNG given as the weights.
  await Deno.writeFile(
    `${dir}/x.png`,
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0]),
  );
  await assert.rejects(
    () => loadEncoder(`${dir}/x.png`),
    expected(
      `^checkpoint ${dir}/x\\.png: not a checkpoint: expected a safetensors file or a PyTorch`,
    ),
  );
  await assert.rejects(
    () => loadEncoder(dir),
    expected(
      `^checkpoint ${dir}: cannot read it \\(Is a directory.*\\): expected a safetensors file`,
    ),
  );
  // Cut short (without a record beside it: the format tells).
  await Deno.writeFile(path, good.subarray(0, good.length - 100));
  await assert.rejects(
    () => loadEncoder(path),
    expected(`^checkpoint ${path}: unreadable: .*the tensors span \\d+ bytes, the file holds`),
  );
  // One byte changed: a valid file, caught only by the SHA-256 that fit()'s JSON records.
  const damaged = good.slice();
  damaged[damaged.length - 5] ^= 1;
  await Deno.writeFile(path, damaged);
  (await loadEncoder(path)).encoder.dispose(); // no record: it loads
  const sha256 = Array.from(
    new Uint8Array(await crypto.subtle.digest("SHA-256", good)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  await Deno.writeTextFile(
    `${dir}/last.json`,
    JSON.stringify({ epoch: 0, files: { weights: { bytes: good.length, sha256 } } }),
  );
  await assert.rejects(
    () => loadEncoder(path),
    expected(
      `^checkpoint ${path} is damaged: its SHA-256 differs from the one ${dir}/last\\.json records$`,
    ),
  );
  await Deno.writeFile(path, good);
  (await loadEncoder(path)).encoder.dispose();
  // Another width than the one asked for.
  await assert.rejects(
    () => loadEncoder(path, { width: 4 }),
    expected(
      `^checkpoint ${path} does not fit ResNetEncoder\\(width 4, stem cifar, layers \\[2,2,2,2\\]\\)`,
    ),
  );
  tf.dispose([...state.values()]);
  net.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`loadEncoder()` loads the projection head with `head: true`: PyTorch's z of the tutorial's network", async () => {
  const { encoder, head } = await loadEncoder(testdata("simclr_w3.ckpt"), {}, { head: true });
  assert.deepEqual(head!.sizes, [24, 64, 16]);
  const { tensors } = await loadSafetensors(testdata("simclr_w3_io.safetensors"));
  const h = encoder.apply(tensors.get("input") as tf.Tensor4D, { training: false });
  const z = head!.apply(h, { training: false });
  const error = await relativeError(z, tensors.get("eval_output")!);
  assert.ok(error < 1e-4, `projection error ${error}`);
  tf.dispose([h, z, ...tensors.values()]);
  encoder.dispose();
  head!.dispose();
  // Unasked, or a checkpoint without a head: none.
  const plain = await loadEncoder(testdata("simclr_w3.ckpt"));
  assert.equal(plain.head, null);
  plain.encoder.dispose();
});

import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { selectBackend } from "@simclr/backends";
import { loadSafetensors, simclrNet } from "@simclr/models";
import { mountTmpfs, whyNoTmpfs } from "../internal/_test_utils.ts";
import { AdamW } from "./adamw.ts";
import { loadCheckpoint, saveCheckpoint, type TrainingState } from "./checkpoint.ts";

await selectBackend("cpu", { log: null });

const state = (epoch: number): TrainingState => ({
  epoch,
  globalStep: 10 * (epoch + 1),
  lr: 1e-3,
  best: null,
  bestEpoch: null,
  seed: 1,
  metrics: {},
  config: { width: 2 },
});

/** A net and optimiser whose first bias is `value` (to tell checkpoints apart). */
function net(value: number) {
  const model = simclrNet({ width: 2, hiddenDim: 4, stem: "cifar", seed: 1 });
  model.parameters().get("fc.2.bias")!.assign(tf.fill([4], value));
  const optimizer = new AdamW(model.parameters());
  return {
    model,
    optimizer,
    bias: async () => (await model.parameters().get("fc.2.bias")!.data())[0],
    dispose: () => {
      optimizer.dispose();
      model.dispose();
    },
  };
}

/** Checkpoints of epoch 0 (bias 1) as `previous` and epoch 1 (bias 2) as `last` in `dir`. */
async function twoCheckpoints(dir: string): Promise<void> {
  for (const epoch of [0, 1]) {
    const n = net(epoch + 1);
    await saveCheckpoint(dir, "last", n.model, n.optimizer, state(epoch), {
      previous: "previous",
    });
    n.dispose();
  }
}

/** Flips one byte of a tensor's data: a change the safetensors format itself cannot see. */
async function flipDataByte(path: string): Promise<void> {
  const bytes = await Deno.readFile(path);
  bytes[bytes.length - 3] ^= 0x40;
  await Deno.writeFile(path, bytes);
  const { tensors } = await loadSafetensors(path); // still a valid safetensors file
  tf.dispose([...tensors.values()]);
}

Deno.test("`saveCheckpoint()` records each file's size and SHA-256, and `loadCheckpoint()` refuses a file that differs", async () => {
  const dir = await Deno.makeTempDir();
  const n = net(1);
  await saveCheckpoint(dir, "last", n.model, n.optimizer, state(0));
  const json = JSON.parse(await Deno.readTextFile(`${dir}/last.json`));
  const weights = await Deno.readFile(`${dir}/last.safetensors`);
  assert.equal(json.files.weights.bytes, weights.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", weights));
  assert.equal(
    json.files.weights.sha256,
    Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
  );
  assert.equal(
    json.files.optimizer.bytes,
    (await Deno.stat(`${dir}/last.optimizer.safetensors`)).size,
  );
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "last.json",
    "last.optimizer.safetensors",
    "last.safetensors",
  ]); // no temporary file left
  await flipDataByte(`${dir}/last.safetensors`);
  await assert.rejects(() => loadCheckpoint(dir, "last", n.model, n.optimizer), {
    name: "CheckpointError",
    message: `checkpoint ${dir}/last.safetensors is damaged: its SHA-256 differs from the one ` +
      `${dir}/last.json records`,
  });
  await Deno.truncate(`${dir}/last.optimizer.safetensors`, 1000);
  await Deno.writeFile(`${dir}/last.safetensors`, weights);
  await assert.rejects(() => loadCheckpoint(dir, "last", n.model, n.optimizer), {
    name: "CheckpointError",
    message: new RegExp(
      `^checkpoint ${dir}/last\\.optimizer\\.safetensors is damaged: 1000 bytes, expected ` +
        `${json.files.optimizer.bytes} \\(as ${dir}/last\\.json records; truncated\\?\\)$`,
    ),
  });
  n.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`loadCheckpoint()` falls back to `previous` when `last` is damaged or incomplete, and names both when neither is good", async () => {
  const dir = await Deno.makeTempDir();
  await twoCheckpoints(dir);
  const n = net(0);
  const lines: string[] = [];
  const options = { fallback: "previous", log: (line: string) => lines.push(line) };
  assert.equal(
    (await loadCheckpoint(dir, "last", n.model, n.optimizer, options))?.from,
    `${dir}/last`,
  );
  assert.equal(await n.bias(), 2);
  assert.deepEqual(lines, []);

  await flipDataByte(`${dir}/last.safetensors`);
  const loaded = await loadCheckpoint(dir, "last", n.model, n.optimizer, options);
  assert.deepEqual([loaded?.from, loaded?.epoch, await n.bias()], [`${dir}/previous`, 0, 1]);
  assert.deepEqual(lines, [
    `checkpoint ${dir}/last.safetensors is damaged: its SHA-256 differs from the one ` +
    `${dir}/last.json records: using the previous good one, ${dir}/previous (end of epoch 1)`,
  ]);

  // A crash while last was being replaced: its JSON is gone.
  await Deno.remove(`${dir}/last.json`);
  assert.equal(
    (await loadCheckpoint(dir, "last", n.model, n.optimizer, options))?.from,
    `${dir}/previous`,
  );
  assert.match(lines[1], /last is incomplete \(no last\.json: interrupted while it was replaced\)/);

  await twoCheckpoints(dir);
  await Deno.truncate(`${dir}/last.safetensors`, 64);
  await Deno.truncate(`${dir}/previous.safetensors`, 64);
  await assert.rejects(() => loadCheckpoint(dir, "last", n.model, n.optimizer, options), {
    name: "CheckpointError",
    message: new RegExp(
      `^checkpoint ${dir}/last\\.safetensors is damaged: 64 bytes, .*; the previous checkpoint ` +
        `is no good either: checkpoint ${dir}/previous\\.safetensors is damaged: 64 bytes`,
    ),
  });
  await Deno.remove(`${dir}/previous.json`);
  await assert.rejects(() => loadCheckpoint(dir, "last", n.model, n.optimizer, options), {
    message: new RegExp(
      `damaged: 64 bytes, .*; there is no previous good checkpoint \\(${dir}/previous\\.json\\) ` +
        "to fall back to$",
    ),
  });
  // Without a fallback the damage is the error.
  await assert.rejects(() => loadCheckpoint(dir, "last", n.model), {
    message: /damaged: 64 bytes/,
  });
  n.dispose();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("`saveCheckpoint()` keeps only a checkpoint that verifies as `previous`", async () => {
  const dir = await Deno.makeTempDir();
  await twoCheckpoints(dir); // previous: epoch 0, last: epoch 1
  await flipDataByte(`${dir}/last.safetensors`);
  const n = net(3);
  await saveCheckpoint(dir, "last", n.model, n.optimizer, state(2), { previous: "previous" });
  // The damaged epoch-1 checkpoint was overwritten, not kept: previous is still epoch 0.
  assert.equal((await loadCheckpoint(dir, "previous", n.model))?.epoch, 0);
  assert.equal(await n.bias(), 1);
  assert.equal((await loadCheckpoint(dir, "last", n.model))?.epoch, 2);
  assert.equal(await n.bias(), 3);
  n.dispose();
  await Deno.remove(dir, { recursive: true });
});

const noTmpfs = await whyNoTmpfs();
if (noTmpfs) console.error(`skipping the disk-full test of saveCheckpoint(): ${noTmpfs}`);

Deno.test({
  name:
    "`saveCheckpoint()` on a full disk throws a `WriteError` naming the file and leaves the last checkpoint intact",
  ignore: noTmpfs !== null,
  fn: async () => {
    const fs = await mountTmpfs(1 << 20);
    try {
      const n = net(1);
      await saveCheckpoint(fs.dir, "last", n.model, n.optimizer, state(0), {
        previous: "previous",
      });
      // Shrink the disk to what the checkpoint uses and half its weights: no room for a second.
      const pages = (path: string) => Math.ceil(Deno.statSync(`${fs.dir}/${path}`).size / 4096);
      const used = pages("last.safetensors") + pages("last.optimizer.safetensors") +
        pages("last.json");
      const size = 4096 * (used + Math.floor(pages("last.safetensors") / 2));
      await fs.remount(`size=${size}`);
      await assert.rejects(
        () =>
          saveCheckpoint(fs.dir, "last", n.model, n.optimizer, state(1), { previous: "previous" }),
        {
          name: "WriteError",
          message: new RegExp(
            `^cannot write ${fs.dir}/last\\.(optimizer\\.)?safetensors: the disk is full \\(No space left on device`,
          ),
        },
      );
      assert.deepEqual([...Deno.readDirSync(fs.dir)].map((e) => e.name).sort(), [
        "last.json",
        "last.optimizer.safetensors",
        "last.safetensors",
      ]); // no temporary file left behind, nothing renamed
      assert.equal((await loadCheckpoint(fs.dir, "last", n.model, n.optimizer))?.epoch, 0);
      n.dispose();
    } finally {
      await fs.unmount();
    }
  },
});

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { ImageDecodeError, readImage } from "@simclr/datasets";
import { loadSafetensors, saveSafetensors, simclrNet } from "@simclr/models";
import { cropResize } from "@simclr/internal/crop-resize";
import { embed } from "./embed.ts";
import { neighbours } from "./neighbours.ts";
import { UsageError } from "./usage_error.ts";

await tf.setBackend("cpu");

const TOOL = new URL("../tools/make_jpeg_folder.py", import.meta.url).pathname;

/** A folder of 12 JPEG photos in class folders, one of them copied under another name. */
async function photoFolder(dir: string): Promise<string> {
  const data = `${dir}/photos`;
  const out = await new Deno.Command("/usr/bin/python3", { args: [TOOL, data, "12"] }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  await Deno.copyFile(`${data}/class3/00003.jpg`, `${data}/class7/copy-of-3.jpg`);
  return data;
}

/** An untrained width-4 SimCLR network saved as pretrain saves it (config with imageSize 32). */
async function checkpoint(dir: string) {
  const net = simclrNet({ width: 4, hiddenDim: 8, stem: "cifar", seed: 3 });
  const state = net.stateDict();
  const path = `${dir}/w.safetensors`;
  await saveSafetensors(path, state, { config: JSON.stringify({ imageSize: 32, width: 4 }) });
  tf.dispose([...state.values()]);
  return { net, path };
}

Deno.test("`embed()` writes h of every image in file order, as the network computes it, and the index", async () => {
  const dir = await Deno.makeTempDir();
  const { net, path } = await checkpoint(dir);
  try {
    const data = await photoFolder(dir);
    const before = tf.memory().numTensors;
    const result = await embed({
      weights: path,
      data,
      out: `${dir}/out`,
      backend: "cpu",
      imageCache: `${dir}/cache`,
      progress: false,
      batchSize: 5,
    });
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual([result.count, result.dim, result.kind], [13, 32, "h"]);
    const index = (await Deno.readTextFile(result.indexPath)).trimEnd().split("\n");
    assert.equal(index[0], "index,path,label");
    assert.equal(index[1], "0,class0/00000.jpg,0");
    assert.equal(index[13], "12,class9/00009.jpg,9");
    assert.ok(index.includes("10,class7/copy-of-3.jpg,7"), index.join(" "));
    const { tensors, metadata } = await loadSafetensors(result.embeddingsPath);
    const embeddings = tensors.get("embeddings")!;
    assert.deepEqual(embeddings.shape, [13, 32]);
    assert.equal(metadata.embedding, "h");
    assert.equal(JSON.parse(metadata.config).imageSize, 32);
    assert.equal(metadata.data, await Deno.realPath(data));
    assert.equal(metadata.weights, await Deno.realPath(path));
    // Row 4 is the net's own encoder on that file: read at 96 px, resized (antialiased) to 32,
    // normalised to [-1, 1].
    const pixels = await readImage(`${data}/${result.paths[4]}`, { size: 96 });
    const want = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(pixels), [1, 96, 96, 3]), 255) as tf.Tensor4D;
      const small = cropResize(x, [[0, 0, 96, 96]], 32, 32, { antialias: true });
      return net.encoder.apply(tf.sub(tf.mul(small, 2), 1) as tf.Tensor4D, { training: false });
    });
    const got = tf.slice(embeddings, [4, 0], [1, -1]);
    const error = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
    assert.ok(error < 1e-4, `row 4 differs by ${error}`);
    tf.dispose([want, got, ...tensors.values()]);
  } finally {
    net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`embed()` writes the head's z with projections", async () => {
  const dir = await Deno.makeTempDir();
  const { net, path } = await checkpoint(dir);
  try {
    const data = await photoFolder(dir);
    const options = { weights: path, data, backend: "cpu" as const, imageCache: `${dir}/c` };
    const h = await embed({ ...options, out: `${dir}/h`, progress: false });
    const z = await embed({ ...options, out: `${dir}/z`, projections: true, progress: false });
    assert.deepEqual([z.dim, z.kind], [8, "z"]);
    const hs = (await loadSafetensors(h.embeddingsPath)).tensors.get("embeddings")! as tf.Tensor2D;
    const zs = (await loadSafetensors(z.embeddingsPath)).tensors.get("embeddings")!;
    const want = net.head.apply(hs, { training: false });
    const error = tf.tidy(() => tf.max(tf.abs(tf.sub(zs, want))).dataSync()[0]);
    assert.ok(error < 1e-5, `z differs from head(h) by ${error}`);
    tf.dispose([hs, zs, want]);
  } finally {
    net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`neighbours()` finds an embedded image nearest itself, draws the row, and lists its duplicate", async () => {
  const dir = await Deno.makeTempDir();
  const { net, path } = await checkpoint(dir);
  try {
    const data = await photoFolder(dir);
    const out = `${dir}/out`;
    const embedded = await embed({
      weights: path,
      data,
      out,
      backend: "cpu",
      imageCache: `${dir}/cache`,
      progress: false,
    });
    // An image file is embedded again with the recorded checkpoint: itself first, similarity 1.
    const query = `${data}/class5/00005.jpg`;
    const byFile = await neighbours({ embeddings: out, query, k: 3, backend: "cpu" });
    assert.equal(byFile.neighbours.length, 3);
    assert.equal(byFile.neighbours[0].path, "class5/00005.jpg");
    assert.ok(Math.abs(byFile.neighbours[0].similarity - 1) < 1e-5);
    assert.ok(byFile.neighbours[1].similarity <= byFile.neighbours[0].similarity);
    assert.match(byFile.text, /1 +\d+ +1\.0000 +class5 +class5\/00005\.jpg/);
    const png = await Deno.readFile(byFile.grid!);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    // A row: the image itself is left out; its copy is its nearest, at similarity 1.
    const three = embedded.paths.indexOf("class3/00003.jpg");
    const byRow = await neighbours({ embeddings: out, query: String(three), k: 2, backend: "cpu" });
    assert.ok(!byRow.neighbours.some((m) => m.index === three));
    assert.equal(byRow.neighbours[0].path, "class7/copy-of-3.jpg");
    // Duplicates: the copy, and nothing else at this threshold.
    const { duplicates } = await neighbours({
      embeddings: out,
      duplicates: 0.99999,
      backend: "cpu",
    });
    assert.deepEqual(duplicates!.map((p) => [p.pathA, p.pathB]), [[
      "class3/00003.jpg",
      "class7/copy-of-3.jpg",
    ]]);
    const csv = (await Deno.readTextFile(`${out}/duplicates.csv`)).split("\n");
    assert.equal(csv[0], "a,b,similarity,path_a,path_b");
    assert.match(csv[1], /^\d+,\d+,1\.0000\d\d,class3\/00003\.jpg,class7\/copy-of-3\.jpg$/);
    // The grid reads the images back: a data folder changed since is one clear error.
    await Deno.remove(`${data}/class0/00000.jpg`);
    await assert.rejects(
      () => neighbours({ embeddings: out, query: "1", k: 2, backend: "cpu" }),
      UsageError,
      "changed since its embeddings were made",
    );
  } finally {
    net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`embed()` refuses a file that fails to decode, or lists it in broken.csv with skipBroken", async () => {
  const dir = await Deno.makeTempDir();
  const { net, path } = await checkpoint(dir);
  try {
    const data = await photoFolder(dir);
    const jpeg = await Deno.readFile(`${data}/class1/00001.jpg`);
    await Deno.writeFile(`${data}/class1/cut.jpg`, jpeg.subarray(0, jpeg.length >> 1));
    const config = {
      weights: path,
      data,
      out: `${dir}/out`,
      backend: "cpu" as const,
      imageCache: `${dir}/c`,
      progress: false,
    };
    await assert.rejects(() => embed(config), ImageDecodeError, "class1/cut.jpg: cannot decode");
    assert.equal(await Deno.stat(`${dir}/out`).catch(() => null), null); // nothing half-written
    const result = await embed({ ...config, skipBroken: true });
    assert.equal(result.count, 13);
    const broken = (await Deno.readTextFile(`${dir}/out/broken.csv`)).split("\n");
    assert.equal(broken[0], "path,reason");
    assert.match(broken[1], /^class1\/cut\.jpg,.*premature end/i);
  } finally {
    net.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { generateDemoData } from "@simclr/datasets";
import { saveSafetensors, simclrNet } from "@simclr/models";
import { probe } from "@simclr/pipeline";
import { probeConfig } from "./probe.ts";

const TUTORIAL_CKPT = new URL("../models/testdata/simclr_w3.ckpt", import.meta.url).pathname;

async function withData(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await generateDemoData(`${dir}/data`, {
      trainPerClass: 6,
      testPerClass: 3,
      unlabeled: 0,
      imageSize: 16,
    });
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const common = (dir: string) => [
  "--data",
  `${dir}/data`,
  "--cache",
  `${dir}/cache`,
  "--backend",
  "cpu",
  "--epochs",
  "10",
];

Deno.test("`deno task probe` writes probe.json, probe.md and the plot", async () => {
  await withData(async (dir) => {
    const out = `${dir}/out`;
    const before = tf.memory().numTensors;
    const run = await probe(probeConfig([
      ...common(dir),
      "--random-init",
      "--width",
      "2",
      "--sizes",
      "2,6",
      "--out",
      out,
    ]));
    assert.equal(tf.memory().numTensors, before);
    assert.deepEqual(run.config, {
      block: "basic",
      layers: [2, 2, 2, 2],
      width: 2,
      stem: "imagenet",
      imageSize: 16,
    });
    const json = JSON.parse(await Deno.readTextFile(`${out}/probe.json`));
    assert.deepEqual(Object.keys(json.results), ["2", "6"]);
    assert.deepEqual(json.results, run.results);
    for (
      const { train, test } of Object.values(json.results) as { train: number; test: number }[]
    ) {
      // 20 or 60 training images, 30 test images: accuracies are multiples of 1/20 and 1/30.
      assert.ok(train >= 0 && train <= 1 && Math.abs(train * 60 - Math.round(train * 60)) < 1e-9);
      assert.ok(test >= 0 && test <= 1 && Math.abs(test * 30 - Math.round(test * 30)) < 1e-9);
    }
    assert.equal(json.knn.k, 60); // k = 200 clamped to the 60 training images
    assert.equal(json.encoder.featureDim, 16); // width 2 * 8
    assert.equal(json.details.size, 6);
    const matrix = json.details.confusionMatrix as number[][];
    assert.equal(matrix.flat().reduce((a, b) => a + b, 0), 30);
    const diagonal = matrix.reduce((a, row, i) => a + row[i], 0);
    assert.ok(Math.abs(diagonal / 30 - json.results["6"].test) < 1e-9);
    const md = await Deno.readTextFile(`${out}/probe.md`);
    // The demo data is not STL10: named, without the tutorial's column and curve.
    assert.equal(run.dataset, "demo data");
    assert.equal(json.dataset, "demo data");
    assert.match(md, /^# Linear probe on demo data: random init/);
    assert.match(md, /\| images per class \| test \| train \|\n/);
    const curve = await Deno.readTextFile(`${out}/probe.svg`);
    assert.match(curve, /demo data classification over dataset size/);
    assert.doesNotMatch(curve, /tutorial \(STL10\)/);
    assert.match(md, new RegExp(`\\| 6 \\| ${(100 * json.results["6"].test).toFixed(2)}% \\|`));
    assert.match(curve, /^<svg/);
    assert.equal(decode(await Deno.readFile(`${out}/probe.png`)).width > 400, true);
    // The pictures: the embedding map (the PNG is the SVG at twice its size) and the neighbour
    // grid: 8 test images of 16 px, each with its 8 nearest training images, 2 px apart.
    assert.deepEqual(run.pictures, {
      embeddingMap: `${out}/embedding.svg`,
      neighbours: `${out}/neighbours.png`,
    });
    const svg = await Deno.readTextFile(`${out}/embedding.svg`);
    const [, w, h] = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!.map(Number);
    const map = decode(await Deno.readFile(`${out}/embedding.png`));
    assert.deepEqual([map.width, map.height], [2 * w, 2 * h]);
    assert.match(svg, />circle<.*>dots</); // the legend names the classes
    assert.equal((svg.match(/aria-roledescription="circle"/g) ?? []).length, 30);
    const grid = decode(await Deno.readFile(`${out}/neighbours.png`));
    assert.deepEqual([grid.width, grid.height], [9 * 18 + 2, 8 * 18 + 2]);
    assert.equal(JSON.parse(await Deno.readTextFile(`${out}/config.json`)).randomInit, true);
    // Features are cached: one file per split.
    assert.equal([...Deno.readDirSync(`${dir}/cache`)].length, 2);
  });
});

Deno.test("`deno task probe` reads our safetensors checkpoints with their config", async () => {
  await withData(async (dir) => {
    const net = simclrNet({ width: 2, hiddenDim: 8, seed: 9 });
    const state = net.stateDict();
    await saveSafetensors(`${dir}/w.safetensors`, state, {
      config: JSON.stringify({ width: 2, hiddenDim: 8, stem: "imagenet", imageSize: 16 }),
    });
    tf.dispose([...state.values()]);
    net.dispose();
    const args = [...common(dir), "--sizes", "3", "--seed", "9"];
    const fromFile = await probe(probeConfig([
      ...args,
      "--weights",
      `${dir}/w.safetensors`,
      "--out",
      `${dir}/a`,
    ]));
    assert.deepEqual(fromFile.config, {
      block: "basic",
      layers: [2, 2, 2, 2],
      width: 2,
      stem: "imagenet",
      hiddenDim: 8,
      imageSize: 16,
    });
    // The same weights built in place (same seed) give the same features, so the same probe.
    const random = await probe(probeConfig([
      ...args,
      "--random-init",
      "--width",
      "2",
      "--hidden-dim",
      "8",
      "--out",
      `${dir}/b`,
    ]));
    assert.deepEqual(fromFile.results, random.results);
    assert.equal(fromFile.knn, random.knn);
    await assert.rejects(
      () => probe(probeConfig([...args, "--weights", `${dir}/w.safetensors`, "--width", "4"])),
      {
        name: "CheckpointError",
        message:
          /w\.safetensors does not fit ResNetEncoder\(width 4, stem imagenet.*conv1\.weight: got \[2, 3, 7, 7\], expected \[4, 3, 7, 7\]/,
      },
    );
  });
});

Deno.test("`deno task probe` reads the tutorial's Lightning checkpoint", async () => {
  await withData(async (dir) => {
    // Without class_names.txt the folder holds STL10's classes: drawn beside the tutorial's.
    await Deno.remove(`${dir}/data/class_names.txt`);
    const run = await probe(probeConfig([
      ...common(dir),
      "--weights",
      TUTORIAL_CKPT,
      "--image-size",
      "16",
      "--sizes",
      "2",
      "--out",
      `${dir}/out`,
    ]));
    // Width from the tensors' shapes, hidden_dim from the Lightning hyper-parameters.
    assert.deepEqual(run.config, {
      block: "basic",
      layers: [2, 2, 2, 2],
      width: 3,
      stem: "imagenet",
      hiddenDim: 16,
      imageSize: 16,
    });
    assert.equal(run.dataset, "STL10");
    const md = await Deno.readTextFile(`${dir}/out/probe.md`);
    assert.match(md, /^# Linear probe on STL10: /);
    assert.match(md, /\| images per class \| test \| train \| tutorial test \|/);
    const svg = await Deno.readTextFile(`${dir}/out/probe.svg`);
    assert.match(svg, /STL10 classification over dataset size/);
    assert.match(svg, /tutorial \(STL10\)/);
    await assert.rejects(
      () => probe(probeConfig([...common(dir), "--weights", TUTORIAL_CKPT, "--stem", "cifar"])),
      { name: "CheckpointError", message: /does not fit ResNetEncoder\(width 3, stem cifar/ },
    );
  });
});

Deno.test("`deno task probe` rejects sizes above a class, empty splits and bad flags", async () => {
  await withData(async (dir) => {
    const base = [...common(dir), "--random-init", "--width", "2", "--out", `${dir}/out`];
    await assert.rejects(
      () => probe(probeConfig([...base, "--sizes", "2,7"])),
      {
        name: "UsageError",
        message:
          "--sizes: sizes contains 7 but class 0 has 6 training images: expected sizes of at most 6",
      },
    );
    assert.throws(
      () => probeConfig([...base, "--sizes", "2,x"]),
      /--sizes is "2,x": expected positive integers separated by commas/,
    );
    await assert.rejects(
      () => probe(probeConfig([...common(dir), "--out", `${dir}/out`])),
      /pass exactly one of --weights CKPT and --random-init/,
    );
    await Deno.writeFile(`${dir}/data/test_X.bin`, new Uint8Array(0));
    await Deno.writeFile(`${dir}/data/test_y.bin`, new Uint8Array(0));
    await assert.rejects(
      () => probe(probeConfig(base)),
      /the test split is empty: expected labelled images/,
    );
  });
});

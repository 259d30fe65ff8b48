import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { createRng } from "@simclr/internal/random";
import { accuracy } from "./accuracy.ts";
import { embeddingStd } from "./embedding_std.ts";
import { extractFeatures, type LabelledImageSource } from "./extract_features.ts";
import { knnClassify } from "./knn_classify.ts";
import { onlineMonitors } from "./online_monitors.ts";

await tf.setBackend("cpu");

const SIZE = 4;

/** `n` random 4x4 images, brighter in the channel of their class (of 3), and what was read. */
function split(n: number, seed: number, reads: number[][] = []): LabelledImageSource {
  const rng = createRng(seed);
  const labels = Int32Array.from({ length: n }, () => rng.integer(0, 2));
  const pixels = Uint8Array.from(
    { length: n * SIZE * SIZE * 3 },
    (_, p) => rng.integer(0, 150) + (p % 3 === labels[Math.floor(p / (SIZE * SIZE * 3))] ? 60 : 0),
  );
  const bytes = SIZE * SIZE * 3;
  return {
    length: n,
    imageSize: SIZE,
    classNames: ["r", "g", "b"],
    labels: () => labels.slice(),
    read(indices) {
      reads.push(Array.from(indices));
      const out = new Uint8Array(indices.length * bytes);
      Array.from(indices).forEach((i, b) =>
        out.set(pixels.subarray(i * bytes, (i + 1) * bytes), b * bytes)
      );
      return Promise.resolve({ pixels: out, labels: Int32Array.from(indices, (i) => labels[i]) });
    },
  };
}

/** Encoder: mean colour and mean squared colour (6 features); head: a fixed linear map to 4. */
function network() {
  const weights = tf.tensor2d(
    Float32Array.from({ length: 24 }, (_, i) => Math.sin(i + 1)),
    [6, 4],
  );
  const flags: boolean[] = [];
  return {
    flags,
    weights,
    encoder: {
      apply: (x: tf.Tensor4D, { training }: { training: boolean }) => {
        flags.push(training);
        return tf.tidy(() =>
          tf.concat([tf.mean(x, [1, 2]), tf.mean(tf.square(x), [1, 2])], 1) as tf.Tensor2D
        );
      },
    },
    head: {
      apply: (h: tf.Tensor2D, { training }: { training: boolean }) => {
        flags.push(training);
        return tf.matMul(h, weights) as tf.Tensor2D;
      },
    },
  };
}

Deno.test("`onlineMonitors()` knn_top1 is knnClassify's accuracy, embedding_std the bank's", async () => {
  const net = network();
  const bank = split(40, 1);
  const queries = split(25, 2);
  const before = tf.memory().numTensors;
  const monitors = await onlineMonitors(net, { bank, queries, k: 5, batchSize: 16 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(net.flags.every((training) => training === false));
  // The same features, measured by hand.
  const options = { sourceSize: SIZE, progress: false };
  const b = await extractFeatures(net.encoder, bank, options);
  const q = await extractFeatures(net.encoder, queries, options);
  const predicted = await knnClassify(b.features, b.labels, q.features, { k: 5 });
  assert.equal(monitors.knn_top1, accuracy(predicted, q.labels));
  const std = embeddingStd(net.head.apply(b.features, { training: false }));
  assert.ok(Math.abs(monitors.embedding_std - (await std.data())[0]) < 1e-6);
  // The classes are learnable from colour: the monitor is far above chance (1/3).
  assert.ok(monitors.knn_top1! > 0.7, `${monitors.knn_top1}`);
  tf.dispose([b.features, q.features, std, net.weights]);
});

Deno.test("`onlineMonitors()` votes as the probe's kNN by default: k = 200, T = 0.07", async () => {
  // Flat images whose grey level g picks row g of a feature table. Bank: 25 images of class 0
  // at [1, 0] and 150 of class 1 at cosine 0.99 from it; the query (class 0) is at [1, 0].
  // k = 200, T = 0.07: 25 e^(1/0.07) < 150 e^(0.99/0.07) (= 130 e^(1/0.07)): class 1, wrong.
  // k = 20: the 20 nearest are all class 0: right.
  const table = tf.tensor2d(
    Array.from(
      { length: 256 },
      (_, g) => g < 25 || g === 200 ? [1, 0] : [0.99, Math.sqrt(1 - 0.99 ** 2)],
    ),
  );
  const flat = (greys: number[], labels: number[]): LabelledImageSource => ({
    length: greys.length,
    imageSize: 1,
    classNames: ["a", "b"],
    labels: () => Int32Array.from(labels),
    read: (indices) =>
      Promise.resolve({
        pixels: Uint8Array.from(Array.from(indices).flatMap((i) => [greys[i], greys[i], greys[i]])),
        labels: Int32Array.from(indices, (i) => labels[i]),
      }),
  });
  const lookup = {
    encoder: {
      apply: (x: tf.Tensor4D) =>
        tf.tidy(() => {
          const grey = tf.round(tf.mul(tf.add(tf.mul(tf.mean(x, [1, 2, 3]), 0.5), 0.5), 255));
          return tf.gather(table, tf.cast(grey, "int32")) as tf.Tensor2D;
        }),
    },
    head: { apply: (h: tf.Tensor2D) => h.clone() },
  };
  const greys = Array.from({ length: 175 }, (_, i) => i);
  const bank = flat(greys, greys.map((g) => g < 25 ? 0 : 1));
  const queries = flat([200], [0]);
  assert.equal((await onlineMonitors(lookup, { bank, queries })).knn_top1, 0);
  assert.equal((await onlineMonitors(lookup, { bank, queries, k: 20 })).knn_top1, 1);
  // T = 0.001 weighs the exact matches far above the rest.
  assert.equal((await onlineMonitors(lookup, { bank, queries, temperature: 0.001 })).knn_top1, 1);
  table.dispose();
});

Deno.test("`onlineMonitors()` caps the queries with a seeded sample, the same each call", async () => {
  const net = network();
  const bank = split(30, 3);
  const reads: number[][] = [];
  const queries = split(50, 4, reads);
  const first = await onlineMonitors(net, { bank, queries, maxQueries: 10, seed: 7 });
  const firstReads = reads.splice(0).flat();
  const again = await onlineMonitors(net, { bank, queries, maxQueries: 10, seed: 7 });
  assert.deepEqual(reads.splice(0).flat(), firstReads);
  assert.equal(again.knn_top1, first.knn_top1);
  assert.equal(firstReads.length, 10);
  assert.equal(new Set(firstReads).size, 10);
  assert.ok(Number.isInteger(first.knn_top1! * 10));
  // The kNN of exactly those queries.
  const options = { sourceSize: SIZE, progress: false };
  const chosen: LabelledImageSource = {
    ...queries,
    length: 10,
    labels: () => Int32Array.from({ length: 10 }, (_, i) => queries.labels()![firstReads[i]]),
    read: (indices) => queries.read(Array.from(indices, (i) => firstReads[i])),
  };
  const b = await extractFeatures(net.encoder, bank, options);
  const q = await extractFeatures(net.encoder, chosen, options);
  assert.equal(
    first.knn_top1,
    accuracy(await knnClassify(b.features, b.labels, q.features), q.labels),
  );
  await onlineMonitors(net, { bank, queries, maxQueries: 10, seed: 8 });
  assert.notDeepEqual(reads.flat(), firstReads);
  tf.dispose([b.features, q.features, net.weights]);
});

Deno.test("`onlineMonitors()` without queries gives embedding_std alone", async () => {
  const net = network();
  const monitors = await onlineMonitors(net, { bank: split(12, 5), queries: null });
  assert.deepEqual(Object.keys(monitors), ["embedding_std"]);
  assert.ok(monitors.embedding_std > 0 && monitors.embedding_std < 1);
  // A head that maps everything to one vector: collapse reads 0.
  const collapsed = await onlineMonitors({
    encoder: net.encoder,
    head: { apply: (h) => tf.tidy(() => tf.add(tf.mul(h, 0), 1) as tf.Tensor2D) },
  }, { bank: split(12, 5) });
  assert.equal(collapsed.embedding_std, 0);
  await assert.rejects(() => onlineMonitors(net, { bank: split(1, 6) }), {
    name: "RangeError",
    message: "onlineMonitors(): options.bank has 1 images: expected 2 or more",
  });
  await assert.rejects(
    () => onlineMonitors(net, { bank: split(4, 6), queries: split(4, 7), maxQueries: 0 }),
    { message: "onlineMonitors(): options.maxQueries is 0: expected a positive integer" },
  );
  net.weights.dispose();
});

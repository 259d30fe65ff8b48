import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { classFeatures, demoSplits, randomEncoderFeatures } from "./_test_utils.ts";
import { writeEmbeddingMap } from "./write_embedding_map.ts";

await tf.setBackend("cpu");

/** Leave-one-out 5-nearest-neighbour accuracy in the map: how well its islands keep classes. */
function mapAccuracy(points: [number, number][], labels: ArrayLike<number>): number {
  let correct = 0;
  points.forEach(([x, y], i) => {
    const near = points.map(([u, v], j) => ({
      j,
      d: j === i ? Infinity : (u - x) ** 2 + (v - y) ** 2,
    }))
      .sort((a, b) => a.d - b.d).slice(0, 5);
    const votes = new Map<number, number>();
    for (const { j } of near) votes.set(labels[j], (votes.get(labels[j]) ?? 0) + 1);
    const best = [...votes.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
    if (best === labels[i]) correct++;
  });
  return correct / points.length;
}

Deno.test("`writeEmbeddingMap()` writes the map as SVG and PNG; a trained encoder's keeps classes apart", async () => {
  const { dir, test } = await demoSplits(1, 8);
  const trained = classFeatures(test, 3);
  const random = await randomEncoderFeatures(test);
  try {
    const before = tf.memory().numTensors;
    const good = await writeEmbeddingMap(`${dir}/trained`, trained, test.classNames);
    const poor = await writeEmbeddingMap(`${dir}/random`, random, test.classNames);
    assert.equal(tf.memory().numTensors, before);
    for (const [name, map] of [["trained", good], ["random", poor]] as const) {
      assert.equal(map.points.length, 80);
      const svg = await Deno.readTextFile(`${dir}/${name}.svg`);
      assert.equal(svg, map.svg);
      // The legend names every class.
      for (const className of test.classNames) assert.match(svg, new RegExp(`>${className}<`));
      // The PNG is the SVG at twice its size.
      const [, w, h] = svg.match(/^<svg[^>]* width="(\d+)" height="(\d+)"/)!.map(Number);
      const png = decode(await Deno.readFile(`${dir}/${name}.png`));
      assert.deepEqual([png.width, png.height], [2 * w, 2 * h]);
      assert.ok(w > 480 && h > 480, `${w} x ${h}`);
    }
    assert.notEqual(good.svg, poor.svg);
    const goodAccuracy = mapAccuracy(good.points, trained.labels);
    const poorAccuracy = mapAccuracy(poor.points, random.labels);
    assert.ok(goodAccuracy > 0.95, `trained ${goodAccuracy}`);
    assert.ok(poorAccuracy < goodAccuracy - 0.3, `random ${poorAccuracy}`);
    // Seeded: the same seed gives the same map, another seed another.
    const again = await writeEmbeddingMap(`${dir}/again`, trained, test.classNames);
    assert.equal(again.svg, good.svg);
    const other = await writeEmbeddingMap(`${dir}/other`, trained, test.classNames, { seed: 5 });
    assert.notDeepEqual(other.points, good.points);
  } finally {
    tf.dispose([trained.features, random.features]);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`writeEmbeddingMap()` draws a seeded sample of at most maxPoints rows", async () => {
  const { dir, test } = await demoSplits(1, 3);
  const split = classFeatures(test, 4);
  try {
    const map = await writeEmbeddingMap(`${dir}/m`, split, test.classNames, { maxPoints: 12 });
    assert.equal(map.rows.length, 12);
    assert.deepEqual(map.rows, [...new Set(map.rows)].sort((a, b) => a - b));
    assert.equal((map.svg.match(/<path[^>]*aria-roledescription="circle"/g) ?? []).length, 12);
    await assert.rejects(
      () => writeEmbeddingMap(`${dir}/m`, split, test.classNames, { maxPoints: 2 }),
      { message: "writeEmbeddingMap(): options.maxPoints is 2: expected an integer >= 3" },
    );
  } finally {
    split.features.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

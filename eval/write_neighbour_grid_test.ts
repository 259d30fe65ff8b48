import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { decode } from "fast-png";
import { classFeatures, demoSplits, randomEncoderFeatures } from "./_test_utils.ts";
import { NEIGHBOUR_MARKS, writeNeighbourGrid } from "./write_neighbour_grid.ts";

await tf.setBackend("cpu");

/** The frame colour of each tile of a grid of 16 px tiles with padding 2, row by row. */
function frames(png: ReturnType<typeof decode>, rows: number, columns: number): string[][] {
  return Array.from({ length: rows }, (_, r) =>
    Array.from({ length: columns }, (_, c) => {
      const at = ((2 + r * 18) * png.width + 2 + c * 18) * png.channels; // the tile's corner
      const rgb = [...png.data.subarray(at, at + 3)];
      const name = Object.entries(NEIGHBOUR_MARKS).find(([, m]) => m.every((v, i) => v === rgb[i]));
      return name?.[0] ?? "none";
    }));
}

Deno.test("`writeNeighbourGrid()` draws each query and its neighbours, marked, at the expected size", async () => {
  const { dir, train, test } = await demoSplits(10, 3);
  const trained = [classFeatures(train, 1), classFeatures(test, 2)];
  const random = [await randomEncoderFeatures(train), await randomEncoderFeatures(test)];
  try {
    const before = tf.memory().numTensors;
    const good = await writeNeighbourGrid(`${dir}/trained.png`, trained[0], trained[1]);
    const poor = await writeNeighbourGrid(`${dir}/random.png`, random[0], random[1]);
    assert.equal(tf.memory().numTensors, before);
    // 8 rows (8 classes of 10, one query each) of the query and 8 neighbours, 16 px + 2 px.
    for (const grid of [good, poor]) {
      assert.deepEqual([grid.width, grid.height], [9 * 18 + 2, 8 * 18 + 2]);
      assert.equal(new Set(grid.rows.map((r) => r.label)).size, 8);
      for (const row of grid.rows) {
        assert.equal(test.labels()![row.query], row.label);
        assert.deepEqual(row.labels, row.neighbours.map((i) => train.labels()![i]));
      }
    }
    const png = decode(await Deno.readFile(`${dir}/trained.png`));
    assert.deepEqual([png.width, png.height], [good.width, good.height]);
    // The first tile of a row is the query, as read from the test split.
    const { pixels } = await test.read([good.rows[0].query]);
    const inside = ((2 + 8) * png.width + 2 + 8) * png.channels, pixel = (8 * 16 + 8) * 3;
    assert.deepEqual([...png.data.subarray(inside, inside + 3)], [
      ...pixels.subarray(pixel, pixel + 3),
    ]);
    // Frames: black queries, then green for a neighbour of the query's class, vermillion if not.
    const goodFrames = frames(png, 8, 9);
    const poorFrames = frames(decode(await Deno.readFile(`${dir}/random.png`)), 8, 9);
    for (const [grid, marks] of [[good, goodFrames], [poor, poorFrames]] as const) {
      grid.rows.forEach((row, r) => {
        assert.equal(marks[r][0], "query");
        assert.deepEqual(
          marks[r].slice(1),
          row.labels.map((l) => l === row.label ? "correct" : "wrong"),
        );
      });
    }
    // A class-separating (trained) encoder's neighbours are its class; a random encoder's are not.
    const share = (m: string[][]) => m.flat().filter((x) => x === "correct").length / 64;
    assert.equal(share(goodFrames), 1);
    assert.ok(share(poorFrames) < 0.6, `${share(poorFrames)}`);
    assert.notDeepEqual(
      await Deno.readFile(`${dir}/trained.png`),
      await Deno.readFile(`${dir}/random.png`),
    );
    // Same seed, same queries; another seed, others.
    const again = await writeNeighbourGrid(`${dir}/again.png`, trained[0], trained[1]);
    assert.deepEqual(again.rows, good.rows);
    const other = await writeNeighbourGrid(`${dir}/other.png`, trained[0], trained[1], { seed: 3 });
    assert.notDeepEqual(other.rows.map((r) => r.query), good.rows.map((r) => r.query));
  } finally {
    tf.dispose([...trained, ...random].map((s) => s.features));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`writeNeighbourGrid()` shows each class before repeating one, and checks its options", async () => {
  const { dir, train, test } = await demoSplits(2, 2);
  const bank = classFeatures(train, 1), queries = classFeatures(test, 2);
  try {
    const grid = await writeNeighbourGrid(`${dir}/g.png`, bank, queries, { rows: 12, k: 3 });
    const labels = grid.rows.map((r) => r.label);
    assert.equal(new Set(labels).size, 10);
    assert.deepEqual(labels, [...labels].sort((a, b) => a - b));
    assert.deepEqual([grid.width, grid.height], [4 * 18 + 2, 12 * 18 + 2]);
    // Tiles resized to 8 px.
    const small = await writeNeighbourGrid(`${dir}/s.png`, bank, queries, { k: 3, tileSize: 8 });
    assert.deepEqual([small.width, small.height], [4 * 10 + 2, 8 * 10 + 2]);
    const png = decode(await Deno.readFile(`${dir}/s.png`));
    assert.deepEqual([png.width, png.height], [small.width, small.height]);
    await assert.rejects(() => writeNeighbourGrid(`${dir}/g.png`, bank, queries, { k: 0 }), {
      name: "RangeError",
      message: "writeNeighbourGrid(): options.k is 0: expected a positive integer",
    });
  } finally {
    tf.dispose([bank.features, queries.features]);
    await Deno.remove(dir, { recursive: true });
  }
});

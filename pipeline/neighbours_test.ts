import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import { saveSafetensors } from "@simclr/models";
import { neighbours } from "./neighbours.ts";

await tf.setBackend("cpu");

Deno.test("`neighbours()` lists every duplicate pair, more than each image's nearest 64 hold", async () => {
  const dir = await Deno.makeTempDir();
  // 70 copies of one embedding (70 * 69 / 2 = 2,415 pairs, each image with 69 copies), scaled
  // (cosine ignores the norm), and two other images, alike only to each other.
  const n = 72;
  const data = new Float32Array(n * 3);
  for (let i = 0; i < 70; i++) data.set([1 + i, 2 * (1 + i), 0], i * 3);
  data.set([0, 0, 1, 0, 0.01, 1], 70 * 3);
  const embeddings = tf.tensor2d(data, [n, 3]);
  try {
    await saveSafetensors(`${dir}/embeddings.safetensors`, new Map([["embeddings", embeddings]]));
    const rows = Array.from({ length: n }, (_, i) => `${i},img${i}.jpg,`);
    await Deno.writeTextFile(`${dir}/index.csv`, ["index,path,label", ...rows].join("\n") + "\n");
    const { duplicates, text } = await neighbours({
      embeddings: dir,
      duplicates: 0.999,
      backend: "cpu",
    });
    const want = [];
    for (let a = 0; a < 70; a++) for (let b = a + 1; b < 70; b++) want.push(`${a},${b}`);
    want.push("70,71");
    assert.deepEqual(duplicates!.map((p) => `${p.a},${p.b}`).sort(), want.sort());
    assert.ok(duplicates!.every((p) => p.pathA === `img${p.a}.jpg` && p.pathB === `img${p.b}.jpg`));
    const csv = (await Deno.readTextFile(`${dir}/duplicates.csv`)).trimEnd().split("\n");
    assert.equal(csv.length, 1 + 2415 + 1);
    assert.match(csv.at(-1)!, /^70,71,0\.99995\d,img70\.jpg,img71\.jpg$/);
    // The table shows the first 50 pairs, most alike first, and says where the rest are.
    assert.match(text, /^2416 pairs with cosine similarity >= 0.999 /);
    assert.match(text, /\n\.\.\. 2366 more in duplicates\.csv$/);
    assert.equal(text.split("\n").length, 1 + 1 + 50 + 1);
  } finally {
    embeddings.dispose();
    await Deno.remove(dir, { recursive: true });
  }
});

import { generateDemoData, openSTL10 } from "/work/main/datasets/mod.ts";
import { encode } from "fast-png";
const dir = "/tmp/dsx/demo";
let t = performance.now();
const info = await generateDemoData(dir, {});
console.log(info.counts, ((performance.now() - t) / 1000).toFixed(2), "s");
const train = await openSTL10(dir, "train");
const labels = train.labels()!;
// grid: 10 rows (classes) x 8 cols
const S = 96, cols = 8;
const grid = new Uint8Array(10 * S * cols * S * 3);
for (let c = 0; c < 10; c++) {
  const idx = [];
  for (let i = 0; i < labels.length && idx.length < cols; i++) if (labels[i] === c) idx.push(i);
  const { pixels } = await train.read(idx);
  for (let k = 0; k < cols; k++) {
    for (let y = 0; y < S; y++) {
      grid.set(
        pixels.subarray((k * S * S + y * S) * 3, (k * S * S + y * S + S) * 3),
        (((c * S + y) * cols * S) + k * S) * 3,
      );
    }
  }
}
Deno.writeFileSync(
  "/tmp/dsx/grid.png",
  encode({ width: cols * S, height: 10 * S, data: grid, channels: 3 }),
);

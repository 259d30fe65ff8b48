import { openSTL10 } from "@simclr/datasets";
import { encode } from "fast-png";
const ds = await openSTL10(".cache/demo-data", "train");
const idx = Array.from({ length: 20 }, (_, i) => i);
const { pixels, labels } = await ds.read(idx);
console.log(ds.classNames.join(","));
console.log(Array.from(labels!).map((l) => ds.classNames[l]).join(" "));
const S = 96, W = 10 * S, H = 2 * S;
const out = new Uint8Array(W * H * 3);
for (let t = 0; t < 20; t++) for (let y = 0; y < S; y++) {
  const src = (t * S * S + y * S) * 3; const dst = (((t / 10 | 0) * S + y) * W + (t % 10) * S) * 3;
  out.set(pixels.subarray(src, src + S * 3), dst);
}
await Deno.writeFile("/tmp/train20.png", encode({ width: W, height: H, data: out, channels: 3 }));

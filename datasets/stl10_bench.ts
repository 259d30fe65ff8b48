// `deno bench -A datasets/stl10_bench.ts`: images per second for random batches of 256 read
// from a 20,000-image STL10 file on disk (550 MB, made in a temporary folder).
import { batches } from "./batches.ts";
import { openSTL10 } from "./open_stl10.ts";
import { epochOrder } from "./batches.ts";
import { STL10_IMAGE_BYTES, stl10ToHWC } from "./stl10_layout.ts";

const COUNT = 20_000;
const BATCH = 256;
const dir = await Deno.makeTempDir({ prefix: "stl10_bench_" });
{
  // write 20k images in chunks of 1000 (distinct bytes per chunk)
  using file = await Deno.open(`${dir}/unlabeled_X.bin`, { write: true, create: true });
  const chunk = new Uint8Array(1000 * STL10_IMAGE_BYTES);
  for (let c = 0; c < COUNT / 1000; c++) {
    for (let i = 0; i < chunk.length; i += 4096) chunk[i] = (c * 7 + i) & 255;
    let off = 0;
    while (off < chunk.length) off += await file.write(chunk.subarray(off));
  }
}
const ds = await openSTL10(dir, "unlabeled", { cacheSize: 0 });
let step = 0;
const order = epochOrder(COUNT, { seed: 1 });
const next = (): number[] => {
  const s = step++ % Math.floor(COUNT / BATCH);
  return Array.from(order.subarray(s * BATCH, (s + 1) * BATCH));
};

Deno.bench("read() random batch of 256 from 20k images (n = 256 images)", async () => {
  await ds.read(next());
});

Deno.bench("read() consecutive batch of 256 (n = 256 images)", async () => {
  const s = step++ % Math.floor(COUNT / BATCH);
  await ds.read(Array.from({ length: BATCH }, (_, i) => s * BATCH + i));
});

const raw = new Uint8Array(BATCH * STL10_IMAGE_BYTES);
const out = new Uint8Array(BATCH * STL10_IMAGE_BYTES);
Deno.bench("stl10ToHWC() on 256 images, no I/O (n = 256 images)", () => {
  stl10ToHWC(raw, BATCH, 96, out);
});

Deno.bench("batches() one epoch of 20k, batch 256, prefetch (n = 19,968 images)", async () => {
  for await (const _ of batches(ds, { batchSize: BATCH, dropLast: true, seed: step++ })) {
    // consumer does nothing: measures the reader alone
  }
});

globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));

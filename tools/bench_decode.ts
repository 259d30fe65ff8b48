// Copyright 2026 the simclr authors. MIT license.
/**
 * Decoding and resizing a folder of JPEGs: `openImageFolder` (sharp, `--workers` images at a
 * time) beside torchvision's `ImageFolder` + PIL through a DataLoader with as many worker
 * processes, both measured in this run, in alternating rounds. Then a second epoch: our folder
 * opened again reads its cache, not the images (`decoded: 0`), and every image is read through
 * `read()` in batches of 64, as training reads them.
 *
 * ```sh
 * deno task bench-decode                       # 1,000 JPEGs made by tools/make_jpeg_folder.py
 * deno task bench-decode -- --count 200 --side 3000   # camera-sized ones
 * deno task bench-decode -- --dir photos --size 96 --workers 2 --rounds 3 --json
 * ```
 *
 * @module
 */
import { openImageFolder } from "@simclr/datasets";
import { parseFlags, runMain } from "../examples/_cli.ts";

const PYTHON = "/usr/bin/python3";
const here = (name: string) => new URL(name, import.meta.url).pathname;

async function python(args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) throw new Error(new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout);
}

async function main(): Promise<void> {
  const flags = parseFlags("bench-decode", "Image decoding: ours beside torchvision + PIL.", [
    { name: "dir", type: "string", help: "A folder of images in class folders (default: made)" },
    { name: "count", type: "integer", min: 1, default: 1000, help: "Images made without --dir" },
    {
      name: "side",
      type: "integer",
      min: 8,
      help: "Without --dir: enlarge the images made to this longer side (camera-sized files)",
    },
    {
      name: "size",
      type: "integer",
      min: 8,
      default: 96,
      help: "Stored side (Resize + CenterCrop)",
    },
    {
      name: "workers",
      type: "integer",
      min: 1,
      default: navigator.hardwareConcurrency,
      help: "Our concurrent decodes, and the DataLoader's worker processes",
    },
    {
      name: "in-flight",
      type: "integer",
      min: 1,
      help: "Our images decoded at once (default: --workers; on the same cores either way)",
    },
    { name: "rounds", type: "integer", min: 1, default: 2, help: "Alternating rounds of each" },
    { name: "json", type: "boolean", help: "Print one JSON line" },
  ]);
  const size = flags.size as number;
  const workers = flags.workers as number;
  const inFlight = (flags["in-flight"] as number | undefined) ?? workers;
  let dir = flags.dir as string | undefined;
  if (dir === undefined) {
    const side = flags.side === undefined ? [] : [String(flags.side)];
    dir = `.cache/bench-jpegs-${flags.count}${side.map((s) => `-${s}px`).join("")}`;
    if (!(await Deno.stat(dir).catch(() => null))) {
      await python([here("make_jpeg_folder.py"), dir, String(flags.count), ...side]);
    }
  }
  // Warm the page cache for both: read every file once.
  const scratch = await Deno.makeTempDir({ prefix: "bench-decode-" });
  await openImageFolder(dir, { sourceSize: size, cacheDir: `${scratch}/warm`, progress: false });
  const ours: number[] = [];
  const pil: number[] = [];
  let images = 0;
  try {
    for (let round = 0; round < (flags.rounds as number); round++) {
      const p = JSON.parse(
        await python([here("bench_decode.py"), dir, String(size), String(workers)]),
      );
      pil.push(p.images_per_s);
      const cacheDir = `${scratch}/round${round}`;
      const start = performance.now();
      const folder = await openImageFolder(dir, {
        sourceSize: size,
        cacheDir,
        concurrency: inFlight,
        progress: false,
      });
      const seconds = (performance.now() - start) / 1000;
      images = folder.decoded;
      ours.push(images / seconds);
    }
    // The second epoch: the cache, and reading every image back in batches.
    const start = performance.now();
    const again = await openImageFolder(dir, {
      sourceSize: size,
      cacheDir: `${scratch}/round0`,
      progress: false,
    });
    const split = again.split(again.splits[0])!;
    for (let i = 0; i < split.length; i += 64) {
      await split.read(Array.from({ length: Math.min(64, split.length - i) }, (_, j) => i + j));
    }
    const epoch2 = split.length / ((performance.now() - start) / 1000);
    const best = (xs: number[]) => Math.max(...xs);
    const result = {
      images,
      size,
      workers,
      in_flight: inFlight,
      ours_images_per_s: best(ours),
      pil_images_per_s: best(pil),
      ratio: best(ours) / best(pil),
      rounds: { ours, pil },
      second_epoch_images_per_s: epoch2,
      second_epoch_decoded: again.decoded,
    };
    if (flags.json) {
      console.log(JSON.stringify(result));
    } else {
      console.log(
        [
          `decoding ${images} images to ${size} px, ${workers} workers (best of ${ours.length}):`,
          `  ours (${inFlight} at a time)                ${best(ours).toFixed(0)} images/s`,
          `  torchvision ImageFolder + PIL, ${workers} workers ${best(pil).toFixed(0)} images/s`,
          `  ratio ${result.ratio.toFixed(2)}`,
          `second epoch: ${again.decoded} images decoded, ${epoch2.toFixed(0)} images/s read ` +
          "from the cache",
        ].join("\n"),
      );
    }
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
}

if (import.meta.main) await runMain(main);

import assert from "node:assert/strict";
import { runPython, writeSolidPng } from "./_test_utils.ts";
import { ImageDecodeError } from "./image_decode_error.ts";
import { ImageFolderError } from "./image_folder_error.ts";
import { openImageFolder } from "./open_image_folder.ts";

const TOOL = new URL("../tools/make_image_folder.py", import.meta.url).pathname;

/** Mean and largest absolute difference of two byte arrays. */
function difference(a: Uint8Array, b: Uint8Array): { mean: number; max: number } {
  assert.equal(a.length, b.length);
  let sum = 0, max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    if (d > max) max = d;
  }
  return { mean: sum / a.length, max };
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** torchvision's `ImageFolder(dir).samples`, as paths relative to `dir` and labels. */
async function torchvisionSamples(dir: string): Promise<[string, number][]> {
  const script = "import json, os, sys\nfrom torchvision.datasets import ImageFolder\n" +
    "d = sys.argv[1]\nf = ImageFolder(d)\n" +
    "print(json.dumps([[os.path.relpath(p, d), y] for p, y in f.samples]))";
  return JSON.parse(await runPython(["-c", script, dir]));
}

// Bounds measured on tools/make_image_folder.py's photos at 32 px (mean / max of |ours - PIL's|).
// Every image is resized by PIL's own arithmetic (_resample.ts) after a decode to PIL's pixels:
// the same bytes. CMYK goes through an ICC profile where PIL uses the naive formula.
const BOUNDS: Record<string, { mean: number; max: number }> = {
  "china/cmyk.jpg": { mean: 20, max: 60 },
};
const DEFAULT_BOUND = { mean: 0, max: 0 };

Deno.test("`openImageFolder()` decodes JPEG, PNG, WebP, GIF, BMP and TIFF in every mode as PIL + torchvision do", async () => {
  await withDir(async (dir) => {
    await runPython([TOOL, dir, "32"]);
    const reference = JSON.parse(await Deno.readTextFile(`${dir}/reference.json`));
    const folder = await openImageFolder(`${dir}/images`, {
      sourceSize: 32,
      cacheDir: `${dir}/cache`,
      progress: false,
    });
    assert.equal(folder.layout, "classes");
    assert.deepEqual(folder.classNames, ["china", "flower"]);
    const train = folder.split("train")!;
    assert.deepEqual([...train.paths].sort(), Object.keys(reference.files).sort());
    const { pixels } = await train.read(train.paths.map((_, i) => i));
    const report: string[] = [];
    for (const [i, path] of train.paths.entries()) {
      const want = await Deno.readFile(`${dir}/reference/${path.replace("/", "__")}.rgb`);
      const got = pixels.subarray(i * want.length, (i + 1) * want.length);
      const { mean, max } = difference(got, want);
      report.push(`${path} ${mean.toFixed(2)}/${max}`);
      const bound = BOUNDS[path] ?? DEFAULT_BOUND;
      assert.ok(mean <= bound.mean && max <= bound.max, `${path}: mean ${mean}, max ${max}`);
    }
    console.log(`|ours - PIL| mean/max at 32 px: ${report.join(", ")}`);
  });
});

Deno.test("`openImageFolder()` names the file that fails to decode, or skips and lists it with skipBroken", async () => {
  await withDir(async (dir) => {
    await runPython([TOOL, dir, "16"]);
    const data = `${dir}/images/china`;
    await Deno.copyFile(`${dir}/broken/truncated.jpg`, `${data}/truncated.jpg`);
    const options = { sourceSize: 16, cacheDir: `${dir}/cache`, progress: false };
    await assert.rejects(
      () => openImageFolder(data, options),
      (e: unknown) =>
        e instanceof ImageDecodeError && e.path === `${data}/truncated.jpg` &&
        /truncated\.jpg: cannot decode the image: .*premature end/i.test(e.message),
    );
    const folder = await openImageFolder(data, { ...options, skipBroken: true });
    assert.deepEqual(folder.broken.map((b) => b.path), ["truncated.jpg"]);
    assert.equal(folder.layout, "images");
    assert.equal(folder.split("unlabeled")!.length, 10);
    assert.ok(!folder.split("unlabeled")!.paths.includes("truncated.jpg"));
    // The failure is cached too: a second run does not decode it again, and still refuses it.
    const again = await openImageFolder(data, { ...options, skipBroken: true });
    assert.equal(again.decoded, 0);
    await assert.rejects(() => openImageFolder(data, options), ImageDecodeError);
  });
});

Deno.test("`openImageFolder()` detects torchvision's ImageFolder layout, in torchvision's order", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data`;
    // Nested folders whose names sort differently as paths and as names ("b-c" < "b/x").
    for (
      const [path, colour] of [
        ["dog/b/x.png", [10, 0, 0]],
        ["dog/b-c/y.PNG", [20, 0, 0]],
        ["dog/a.png", [30, 0, 0]],
        ["cat/z.png", [40, 0, 0]],
        ["cat/B.png", [50, 0, 0]],
        ["ant/deep/er/q.png", [60, 0, 0]],
      ] as const
    ) await writeSolidPng(`${data}/${path}`, 12, 9, colour);
    // torchvision counts hidden folders as classes and refuses empty ones: asked before those.
    const expected = await torchvisionSamples(data);
    await Deno.writeTextFile(`${data}/cat/notes.txt`, "not an image");
    await Deno.writeTextFile(`${data}/cat/.DS_Store`, "");
    await Deno.mkdir(`${data}/.git`);
    await writeSolidPng(`${data}/.git/hidden.png`, 4, 4, [0, 0, 0]);
    await Deno.mkdir(`${data}/empty`);
    const folder = await openImageFolder(data, {
      sourceSize: 8,
      cacheDir: `${dir}/c`,
      progress: false,
    });
    assert.equal(folder.layout, "classes");
    assert.deepEqual(folder.classNames, ["ant", "cat", "dog"]);
    const train = folder.split("train")!;
    assert.deepEqual([...train.paths], expected.map(([p]) => p));
    assert.deepEqual([...train.labels()!], expected.map(([, y]) => y));
    assert.deepEqual(folder.splits, ["train", "train+unlabeled"]);
    assert.equal(folder.split("test"), null);
    assert.deepEqual(folder.skipped, { hidden: 2, notImages: 1, links: 0, outside: 0 });
    // Each image is its colour after the resize (uniform images stay uniform).
    const { pixels } = await train.read([train.paths.indexOf("dog/b-c/y.PNG")]);
    assert.deepEqual([...new Set(pixels.filter((_, i) => i % 3 === 0))], [20]);
  });
});

Deno.test("`openImageFolder()` reads train/test/unlabeled splits and train+unlabeled with label -1", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data`;
    await writeSolidPng(`${data}/train/b/1.png`, 10, 10, [1, 1, 1]);
    await writeSolidPng(`${data}/train/a/2.png`, 10, 10, [2, 2, 2]);
    await writeSolidPng(`${data}/test/c/3.png`, 10, 10, [3, 3, 3]);
    await writeSolidPng(`${data}/test/a/4.png`, 10, 10, [4, 4, 4]);
    await writeSolidPng(`${data}/unlabeled/5.png`, 10, 10, [5, 5, 5]);
    await writeSolidPng(`${data}/unlabeled/more/6.png`, 10, 10, [6, 6, 6]);
    await writeSolidPng(`${data}/stray.png`, 10, 10, [7, 7, 7]);
    const folder = await openImageFolder(data, {
      sourceSize: 4,
      cacheDir: `${dir}/c`,
      progress: false,
    });
    assert.equal(folder.layout, "splits");
    assert.deepEqual(folder.classNames, ["a", "b", "c"]); // both splits' classes
    assert.deepEqual(folder.splits, ["train", "test", "unlabeled", "train+unlabeled"]);
    assert.deepEqual([...folder.split("train")!.labels()!], [0, 1]);
    assert.deepEqual([...folder.split("test")!.paths], ["test/a/4.png", "test/c/3.png"]);
    assert.deepEqual([...folder.split("test")!.labels()!], [0, 2]);
    assert.equal(folder.split("unlabeled")!.labels(), null);
    const both = folder.split("train+unlabeled")!;
    assert.deepEqual([...both.labels()!], [0, 1, -1, -1]);
    const { pixels, labels } = await both.read([3, 0, 3]);
    assert.deepEqual([pixels[0], pixels[48], pixels[96]], [6, 2, 6]);
    assert.deepEqual([...labels!], [-1, 0, -1]);
    assert.equal(folder.skipped.outside, 1);
    // An image directly in train/ has no class: one clear error.
    await writeSolidPng(`${data}/train/loose.png`, 10, 10, [0, 0, 0]);
    await assert.rejects(
      () => openImageFolder(data, { sourceSize: 4, cacheDir: `${dir}/c`, progress: false }),
      ImageFolderError,
      "train/loose.png is not in a class folder",
    );
  });
});

Deno.test("`openImageFolder()` takes images with no class folders as unlabeled, follows links once, refuses an empty folder", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data`;
    await Deno.mkdir(data);
    await assert.rejects(
      () => openImageFolder(data, { cacheDir: `${dir}/c` }),
      ImageFolderError,
      "holds no images",
    );
    await writeSolidPng(`${data}/a.png`, 10, 10, [1, 1, 1]);
    await writeSolidPng(`${dir}/elsewhere/b.png`, 10, 10, [2, 2, 2]);
    await Deno.symlink(`${dir}/elsewhere`, `${data}/linked`); // followed
    await Deno.symlink(data, `${data}/linked/loop`); // back to the top: a loop, not walked
    await Deno.symlink(`${dir}/nothing`, `${data}/dangling.png`);
    const folder = await openImageFolder(data, {
      sourceSize: 4,
      cacheDir: `${dir}/c`,
      progress: false,
    });
    assert.equal(folder.layout, "images");
    assert.deepEqual(folder.classNames, []);
    assert.deepEqual(folder.splits, ["unlabeled", "train+unlabeled"]);
    assert.deepEqual([...folder.split("unlabeled")!.paths], ["a.png", "linked/b.png"]);
    assert.equal(folder.split("train+unlabeled")!.labels(), null);
    assert.equal(folder.skipped.links, 2);
  });
});

Deno.test("`openImageFolder()` reuses its cache and decodes again only the files that changed", async () => {
  await withDir(async (dir) => {
    const data = `${dir}/data`;
    for (let i = 0; i < 4; i++) await writeSolidPng(`${data}/x/${i}.png`, 20, 10, [i * 50, 0, 0]);
    const options = { sourceSize: 6, cacheDir: `${dir}/cache`, progress: false };
    const first = await openImageFolder(data, options);
    assert.equal(first.decoded, 4);
    assert.deepEqual([...Deno.readDirSync(`${dir}/cache`)].map((e) => e.name), [
      first.cachePath.slice(first.cachePath.lastIndexOf("/") + 1),
    ]);
    // Unchanged files are not read at all: same size and time, other bytes, still the old pixels.
    const path = `${data}/x/1.png`;
    const { mtime, size } = await Deno.stat(path);
    await Deno.writeFile(path, new Uint8Array(size));
    await Deno.utime(path, mtime!, mtime!);
    const second = await openImageFolder(data, options);
    assert.equal(second.decoded, 0);
    assert.equal((await second.split("train")!.read([1])).pixels[0], 50);
    // A changed file is decoded again, and only it.
    await writeSolidPng(path, 20, 10, [99, 0, 0]);
    await Deno.utime(path, mtime!.getTime() / 1000 + 10, mtime!.getTime() / 1000 + 10);
    const third = await openImageFolder(data, options);
    assert.equal(third.decoded, 1);
    const { pixels } = await third.split("train")!.read([0, 1, 2, 3]);
    assert.deepEqual([0, 1, 2, 3].map((i) => pixels[i * 6 * 6 * 3]), [0, 99, 100, 150]);
    // Another stored side is another cache entry.
    const other = await openImageFolder(data, { ...options, sourceSize: 5 });
    assert.equal(other.decoded, 4);
    assert.notEqual(other.cachePath, third.cachePath);
    assert.ok(![...Deno.readDirSync(`${dir}/cache`)].some((e) => e.name.endsWith(".tmp")));
  });
});

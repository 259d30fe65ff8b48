import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import tar from "tar-stream";
import { type DownloadProgress, downloadSTL10 } from "./download_stl10.ts";
import { openSTL10 } from "./open_stl10.ts";
import { patternHWC, writePatternSplit } from "./_test_utils.ts";

/** A small stl10_binary.tar.gz with pattern images (plus any extra entries). */
async function makeArchive(
  extra: { name: string; data: Uint8Array }[] = [],
): Promise<Uint8Array<ArrayBuffer>> {
  const src = await Deno.makeTempDir();
  try {
    await writePatternSplit(src, "train", 3, [1, 5, 10]);
    await writePatternSplit(src, "test", 2, [2, 3], 50);
    await writePatternSplit(src, "unlabeled", 4, null, 80);
    await Deno.writeTextFile(`${src}/class_names.txt`, "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n");
    const pack = tar.pack();
    pack.entry({ name: "stl10_binary/", type: "directory" });
    for await (const e of Deno.readDir(src)) {
      pack.entry({ name: `stl10_binary/${e.name}` }, await Deno.readFile(`${src}/${e.name}`));
    }
    for (const e of extra) pack.entry({ name: e.name }, e.data);
    pack.finalize();
    const chunks: Uint8Array[] = [];
    for await (const chunk of pack) chunks.push(new Uint8Array(chunk as Uint8Array));
    const gz = new Blob(chunks as BlobPart[]).stream().pipeThrough(new CompressionStream("gzip"));
    return new Uint8Array(await new Response(gz).arrayBuffer());
  } finally {
    await Deno.remove(src, { recursive: true });
  }
}

interface Served {
  url: string;
  ranges: (string | null)[];
  close(): Promise<void>;
}

/** Serves `body` on 127.0.0.1 with Range support; the first `cutFirst` responses stop halfway. */
function serve(body: Uint8Array<ArrayBuffer>, cutFirst = 0): Served {
  const ranges: (string | null)[] = [];
  let cuts = cutFirst;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const range = req.headers.get("range");
    ranges.push(range);
    let start = 0;
    const m = range === null ? null : /bytes=(\d+)-/.exec(range);
    if (m !== null) start = Number(m[1]);
    const rest = body.subarray(start);
    const headers: Record<string, string> = {};
    let status = 200;
    if (m !== null) {
      status = 206;
      headers["content-range"] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    if (cuts > 0) {
      cuts--;
      // send half, then fail the stream: the client sees the connection break mid-body
      const half = rest.subarray(0, Math.floor(rest.length / 2));
      let sent = false;
      const stream = new ReadableStream<Uint8Array>({
        async pull(ctl) {
          if (!sent) {
            sent = true;
            ctl.enqueue(half);
            return;
          }
          await new Promise((r) => setTimeout(r, 20));
          ctl.error(new Error("cut"));
        },
      });
      return new Response(stream, { status, headers });
    }
    headers["content-length"] = String(rest.length);
    return new Response(rest, { status, headers });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/stl10_binary.tar.gz`,
    ranges,
    close: () => server.shutdown(),
  };
}

async function checkExtracted(folder: string): Promise<void> {
  const train = await openSTL10(folder, "train");
  deepStrictEqual(Array.from(train.labels()!), [0, 4, 9]);
  deepStrictEqual((await train.read([2, 0])).pixels, patternHWC([2, 0]));
  const test = await openSTL10(folder, "test");
  deepStrictEqual((await test.read([1])).pixels, patternHWC([51]));
  strictEqual(test.classNames[2], "c");
  strictEqual((await openSTL10(folder, "unlabeled")).length, 4);
}

Deno.test("`downloadSTL10()` downloads, checks and extracts an archive", async () => {
  const gz = await makeArchive();
  const server = serve(gz);
  const dir = await Deno.makeTempDir();
  try {
    const progress: DownloadProgress[] = [];
    const folder = await downloadSTL10(dir, {
      url: server.url,
      expectedBytes: gz.length,
      onProgress: (p) => progress.push({ ...p }),
    });
    strictEqual(folder, `${dir}/stl10_binary`);
    await checkExtracted(folder);
    const last = progress.filter((p) => p.phase === "download").at(-1)!;
    deepStrictEqual(last, {
      phase: "download",
      bytes: gz.length,
      total: gz.length,
      resumedFrom: 0,
    });
    ok(progress.some((p) => p.phase === "extract" && p.bytes === gz.length));
    deepStrictEqual(server.ranges, [null]);
    // archive kept, no temporary folder or .part left
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepStrictEqual(names.sort(), ["stl10_binary", "stl10_binary.tar.gz"]);
    // a second call finds the folder and fetches nothing
    await downloadSTL10(dir, { url: server.url });
    strictEqual(server.ranges.length, 1);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`downloadSTL10()` resumes an interrupted download with a Range request", async () => {
  const gz = await makeArchive([{
    name: "stl10_binary/pad.bin",
    data: crypto.getRandomValues(new Uint8Array(60000)),
  }]);
  const server = serve(gz, 1);
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      downloadSTL10(dir, { url: server.url }),
      (e: Error) =>
        /interrupted after \d+ bytes/.test(e.message) && e.message.includes("run again to resume"),
    );
    const part = await Deno.stat(`${dir}/stl10_binary.tar.gz.part`);
    ok(part.size > 0 && part.size < gz.length, `part holds ${part.size} of ${gz.length}`);
    const progress: DownloadProgress[] = [];
    const folder = await downloadSTL10(dir, {
      url: server.url,
      keepArchive: false,
      onProgress: (p) => progress.push({ ...p }),
    });
    deepStrictEqual(server.ranges, [null, `bytes=${part.size}-`]);
    strictEqual(progress[0].resumedFrom, part.size);
    await checkExtracted(folder);
    deepStrictEqual(await Deno.readFile(`${folder}/pad.bin`).then((b) => b.length), 60000);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    deepStrictEqual(names, ["stl10_binary"]);
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`downloadSTL10()` explains how to place the files by hand when offline", async () => {
  const closed = serve(new Uint8Array(1));
  const url = closed.url;
  await closed.close(); // nothing listens on that port now
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      downloadSTL10(dir, { url }),
      (e: Error) =>
        e.message.startsWith(`could not reach ${url}`) &&
        e.message.includes(`${dir}/stl10_binary.tar.gz`) &&
        e.message.includes(`${dir}/stl10_binary/train_X.bin`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`downloadSTL10()` checks the size and rejects unsafe archives", async () => {
  const gz = await makeArchive();
  const server = serve(gz);
  const dir = await Deno.makeTempDir();
  try {
    await rejects(
      downloadSTL10(dir, { url: server.url, expectedBytes: gz.length + 1 }),
      (e: Error) =>
        e.name === "DownloadError" &&
        e.message.includes(`downloaded ${gz.length} bytes, expected ${gz.length + 1}`),
    );
    await Deno.remove(`${dir}/stl10_binary.tar.gz.part`);
    const evil = await makeArchive([{ name: "../evil.txt", data: new Uint8Array(3) }]);
    await Deno.writeFile(`${dir}/stl10_binary.tar.gz`, evil); // used as is, no download
    await rejects(downloadSTL10(dir, { url: server.url }), /points outside the extraction folder/);
    await rejects(Deno.stat(`${dir}/../evil.txt`), Deno.errors.NotFound);
    await rejects(
      downloadSTL10(dir, { url: server.url, expectedBytes: evil.length - 1 }),
      /stl10_binary\.tar\.gz holds \d+ bytes, expected \d+ \(incomplete\?\)/,
    );
    await Deno.writeFile(`${dir}/stl10_binary.tar.gz`, gz.subarray(0, 100));
    await rejects(downloadSTL10(dir, { url: server.url }), /extraction failed/);
    strictEqual(server.ranges.length, 1);
    await rejects(downloadSTL10(dir, { url: "not a url" }), {
      name: "TypeError",
      message: 'downloadSTL10(): options.url is "not a url": expected an absolute URL',
    });
  } finally {
    await server.close();
    await Deno.remove(dir, { recursive: true });
  }
});

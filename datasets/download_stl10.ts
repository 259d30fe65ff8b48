import tar from "tar-stream";
import { argumentMessage, show } from "@simclr/internal/checks";
import { fileSize, joinPath, writeAll } from "./_fs.ts";
import { DownloadError } from "./download_error.ts";

/** The official STL10 archive (binary version). */
export const STL10_URL = "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz";

/** Size in bytes of the official archive at {@linkcode STL10_URL}. */
export const STL10_ARCHIVE_BYTES = 2_640_397_119;

/** Progress reported by {@linkcode downloadSTL10}. */
export interface DownloadProgress {
  /** `"download"` while fetching the archive, `"extract"` while unpacking it. */
  phase: "download" | "extract";
  /** Bytes done (for `"extract"`: compressed bytes consumed), including a resumed part. */
  bytes: number;
  /** Total bytes, or `null` when the server does not say. */
  total: number | null;
  /** Bytes already present from an earlier, interrupted download. */
  resumedFrom: number;
}

/** Options of {@linkcode downloadSTL10}. */
export interface DownloadSTL10Options {
  /** Archive URL. Default {@linkcode STL10_URL}. */
  url?: string;
  /**
   * Expected archive size in bytes, checked after the download. Default
   * {@linkcode STL10_ARCHIVE_BYTES} for the official URL, none otherwise (the size the server
   * announces is always checked).
   */
  expectedBytes?: number;
  /** Keep `stl10_binary.tar.gz` after extracting it. Default `true`. */
  keepArchive?: boolean;
  /** Called as bytes arrive and as the archive is extracted. */
  onProgress?: (progress: DownloadProgress) => void;
  /** Aborts the download (the `.part` file is kept for a later resume). */
  signal?: AbortSignal;
}

function manualHint(dir: string, url: string): string {
  return `To install STL10 by hand, download ${url} (2.6 GB) on a machine with access and ` +
    `either put it at ${joinPath(dir, "stl10_binary.tar.gz")} and run this again (it is then ` +
    `only extracted), or extract it so that ${joinPath(dir, "stl10_binary", "train_X.bin")} ` +
    `exists.`;
}

function isComplete(folder: string): Promise<boolean> {
  return fileSize(joinPath(folder, "train_X.bin")).then((s) => s !== null);
}

async function download(
  url: string,
  archive: string,
  dir: string,
  options: DownloadSTL10Options,
): Promise<void> {
  const part = `${archive}.part`;
  const have = (await fileSize(part)) ?? 0;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: have > 0 ? { Range: `bytes=${have}-` } : {},
      signal: options.signal,
    });
  } catch (err) {
    if (options.signal?.aborted) throw err;
    throw new DownloadError(
      `could not reach ${url} (${err instanceof Error ? err.message : err}). ` +
        manualHint(dir, url),
      { cause: err },
    );
  }
  let start = 0;
  let total: number | null = null;
  if (response.status === 206) {
    const m = /bytes (\d+)-\d+\/(\d+|\*)/.exec(response.headers.get("content-range") ?? "");
    if (m === null || Number(m[1]) !== have) {
      await response.body?.cancel();
      throw new DownloadError(
        `${url}: asked for bytes ${have}- but the server sent ` +
          `"${response.headers.get("content-range")}"; delete ${part} and run again`,
      );
    }
    start = have;
    total = m[2] === "*" ? null : Number(m[2]);
  } else if (response.status === 416 && have > 0) {
    // Range not satisfiable: the part may already hold the whole file
    await response.body?.cancel();
    const m = /bytes \*\/(\d+)/.exec(response.headers.get("content-range") ?? "");
    if (m !== null && Number(m[1]) === have) {
      await Deno.rename(part, archive);
      return;
    }
    throw new DownloadError(
      `${url}: cannot resume at byte ${have} (HTTP 416); delete ${part} and rerun`,
    );
  } else if (response.ok) {
    const len = response.headers.get("content-length");
    total = len === null ? null : Number(len);
  } else {
    await response.body?.cancel();
    throw new DownloadError(
      `${url}: HTTP ${response.status} ${response.statusText}. ${manualHint(dir, url)}`,
    );
  }
  if (response.body === null) throw new DownloadError(`${url}: the response has no body`);
  const file = await Deno.open(part, { write: true, create: true, truncate: start === 0 });
  let bytes = start;
  try {
    await file.seek(start, Deno.SeekMode.Start);
    const report = (): void =>
      options.onProgress?.({ phase: "download", bytes, total, resumedFrom: start });
    report();
    try {
      for await (const chunk of response.body) {
        await writeAll(file, chunk);
        bytes += chunk.length;
        report();
      }
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new DownloadError(
        `download of ${url} was interrupted after ${bytes}` +
          `${total === null ? "" : ` of ${total}`} bytes (${
            err instanceof Error ? err.message : err
          }); ` +
          `the bytes are kept in ${part}: run again to resume`,
        { cause: err },
      );
    }
  } finally {
    file.close();
  }
  const expected = options.expectedBytes ?? (url === STL10_URL ? STL10_ARCHIVE_BYTES : null);
  for (const want of [total, expected]) {
    if (want !== null && bytes !== want) {
      throw new DownloadError(
        `${part}: downloaded ${bytes} bytes, expected ${want}; ` +
          (bytes < want ? "run again to resume" : `delete ${part} and run again`),
      );
    }
  }
  await Deno.rename(part, archive);
}

/** Rejects archive member names that would escape the extraction folder. */
function safeName(name: string): string | null {
  const clean = name.replace(/\\/g, "/").replace(/^\.\//, "").replace(/\/+$/, "");
  if (clean === "" || clean === ".") return null;
  if (clean.startsWith("/") || /^[a-zA-Z]:/.test(clean) || clean.split("/").includes("..")) {
    throw new DownloadError(`archive member "${name}" points outside the extraction folder`);
  }
  return clean;
}

async function extract(
  archive: string,
  tmp: string,
  onProgress: DownloadSTL10Options["onProgress"],
): Promise<void> {
  const total = (await fileSize(archive))!;
  const source = await Deno.open(archive, { read: true });
  let consumed = 0;
  const counted = source.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        consumed += chunk.length;
        onProgress?.({ phase: "extract", bytes: consumed, total, resumedFrom: 0 });
        ctl.enqueue(chunk);
      },
    }),
  );
  const gunzipped = counted.pipeThrough(
    new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>,
  );
  const ex = tar.extract();
  // resolves when the extractor wants more input, or has been closed (after an error)
  const ready = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const done = (): void => {
        ex.off("drain", done);
        ex.off("close", done);
        resolve();
      };
      ex.on("drain", done);
      ex.on("close", done);
    });
  const feed = (async () => {
    try {
      for await (const chunk of gunzipped) {
        if (ex.destroyed) break;
        if (!ex.write(chunk)) await ready();
      }
      if (!ex.destroyed) ex.end(null);
    } catch (err) {
      ex.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  try {
    for await (const entry of ex) {
      const name = safeName(entry.header.name);
      if (name === null || (entry.header.type !== "file" && entry.header.type !== "directory")) {
        entry.resume();
        continue;
      }
      const path = joinPath(tmp, name);
      if (entry.header.type === "directory") {
        await Deno.mkdir(path, { recursive: true });
        entry.resume();
        continue;
      }
      await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
      const out = await Deno.open(path, { write: true, create: true, truncate: true });
      try {
        for await (const chunk of entry) await writeAll(out, chunk as Uint8Array);
      } finally {
        out.close();
      }
    }
  } catch (err) {
    throw new DownloadError(
      `${archive}: extraction failed (${err instanceof Error ? err.message : err}); ` +
        `delete it and run again to download it anew`,
      { cause: err },
    );
  } finally {
    if (!ex.destroyed) ex.destroy();
    await feed;
  }
}

/**
 * Downloads and extracts the STL10 binary archive into `dir/stl10_binary` and returns that
 * folder (ready for {@linkcode openSTL10}). Streaming throughout: the archive is written to
 * `dir/stl10_binary.tar.gz.part` (an interrupted download resumes from it with an HTTP Range
 * request), its size is checked, then it is gunzipped (`DecompressionStream`) and untarred
 * (`tar-stream`) into a temporary folder that is renamed when complete. Does nothing when
 * `dir/stl10_binary/train_X.bin` exists, and only extracts when the archive is already there.
 * When the network is unreachable, the error tells how to place the files by hand.
 *
 * @param dir Folder to download into (created if missing).
 * @param options URL, expected size, progress callback, abort signal.
 * @returns The path of the extracted `stl10_binary` folder.
 *
 * @example Usage (here the folder is already in place, so nothing is fetched)
 * ```ts
 * import { downloadSTL10, generateDemoData, openSTL10 } from "@simclr/datasets";
 * import { deepStrictEqual, strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(`${dir}/stl10_binary`, { trainPerClass: 1, testPerClass: 1, unlabeled: 0 });
 * const phases: string[] = [];
 * const folder = await downloadSTL10(dir, { onProgress: (p) => phases.push(p.phase) });
 * strictEqual(folder, `${dir}/stl10_binary`);
 * deepStrictEqual(phases, []); // nothing to download or extract
 * strictEqual((await openSTL10(folder, "test")).length, 10);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function downloadSTL10(
  dir: string,
  options: DownloadSTL10Options = {},
): Promise<string> {
  if (typeof dir !== "string" || dir.length === 0) {
    throw new TypeError(argumentMessage("downloadSTL10()", `dir is ${show(dir)}`, "a folder path"));
  }
  const url = options.url ?? STL10_URL;
  try {
    new URL(url);
  } catch {
    throw new TypeError(
      argumentMessage("downloadSTL10()", `options.url is ${show(url)}`, "an absolute URL"),
    );
  }
  const target = joinPath(dir, "stl10_binary");
  if (await isComplete(target)) return target;
  await Deno.mkdir(dir, { recursive: true });
  const archive = joinPath(dir, "stl10_binary.tar.gz");
  const placed = await fileSize(archive);
  if (placed === null) await download(url, archive, dir, options);
  else {
    const expected = options.expectedBytes ?? (url === STL10_URL ? STL10_ARCHIVE_BYTES : null);
    if (expected !== null && placed !== expected) {
      throw new DownloadError(
        `${archive} holds ${placed} bytes, expected ${expected} (incomplete?); delete it, or ` +
          `rename it to ${archive}.part to resume the download`,
      );
    }
  }
  // leftovers of an extraction that was killed
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory && e.name.startsWith(".stl10_extract-")) {
      await Deno.remove(joinPath(dir, e.name), { recursive: true });
    }
  }
  const tmp = await Deno.makeTempDir({ dir, prefix: ".stl10_extract-" });
  try {
    await extract(archive, tmp, options.onProgress);
    // the official archive holds stl10_binary/...; accept a flat archive too
    const inner = (await isComplete(joinPath(tmp, "stl10_binary")))
      ? joinPath(tmp, "stl10_binary")
      : tmp;
    if (!(await isComplete(inner))) {
      throw new DownloadError(
        `${archive} holds no stl10_binary/train_X.bin; is it the STL10 binary archive?`,
      );
    }
    await Deno.remove(target, { recursive: true }).catch(() => {});
    await Deno.rename(inner, target);
  } finally {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
  }
  if (options.keepArchive === false) await Deno.remove(archive);
  return target;
}

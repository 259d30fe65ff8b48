// `deno task download -- --dir DIR`: downloads and extracts the official STL10 archive into
// DIR/stl10_binary (resumable; a progress bar shows bytes and rate).
import cliProgress from "cli-progress";
import { type DownloadProgress, downloadSTL10, STL10_URL } from "@simclr/datasets";
import { parseFlags, runMain } from "./_cli.ts";

function human(bytes: number): string {
  const units = ["B", "KB", "MB", "GB"];
  let v = bytes, u = 0;
  while (v >= 1000 && u < units.length - 1) [v, u] = [v / 1000, u + 1];
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/** A cli-progress bar fed by downloadSTL10's progress callback. */
function progressBar(): { update(p: DownloadProgress): void; stop(): void } {
  const bar = new cliProgress.SingleBar({
    format: "{phase} [{bar}] {percentage}% | {done} / {size} | {rate}/s | ETA {eta_formatted}",
    hideCursor: true,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  let phase = "";
  let t0 = 0, b0 = 0;
  return {
    update(p) {
      if (p.phase !== phase) {
        if (phase !== "") bar.stop();
        phase = p.phase;
        t0 = performance.now();
        b0 = p.phase === "download" ? p.resumedFrom : 0;
        if (p.resumedFrom > 0) console.error(`resuming at ${human(p.resumedFrom)}`);
        bar.start(p.total ?? 0, p.bytes, { phase, done: "", size: "", rate: "" });
      }
      const seconds = Math.max(1e-3, (performance.now() - t0) / 1000);
      bar.update(p.bytes, {
        phase: phase === "download" ? "downloading" : "extracting ",
        done: human(p.bytes),
        size: p.total === null ? "?" : human(p.total),
        rate: human((p.bytes - b0) / seconds),
      });
    },
    stop() {
      if (phase !== "") bar.stop();
    },
  };
}

await runMain(async () => {
  const flags = parseFlags(
    "download",
    "Downloads the STL10 binary archive (2.6 GB) and extracts it into DIR/stl10_binary. An " +
      "interrupted download resumes when run again. Offline? Put stl10_binary.tar.gz into DIR " +
      "by hand and run this to extract it.",
    [
      { name: "dir", type: "string", help: "Folder to download into", default: "data" },
      { name: "url", type: "string", help: "Archive URL", default: STL10_URL },
      { name: "remove-archive", type: "boolean", help: "Delete the archive after extracting" },
    ],
  );
  const dir = (flags.dir as string | undefined) ?? "data";
  const bar = progressBar();
  let folder: string;
  try {
    folder = await downloadSTL10(dir, {
      url: flags.url as string | undefined,
      keepArchive: flags["remove-archive"] !== true,
      onProgress: (p) => bar.update(p),
    });
  } catch (error) {
    bar.stop();
    if (error instanceof Error && !(error instanceof RangeError)) {
      console.error(`error: ${error.message}`);
      Deno.exit(1);
    }
    throw error;
  }
  bar.stop();
  console.log(`STL10 is ready in ${folder} (use --data ${folder})`);
});

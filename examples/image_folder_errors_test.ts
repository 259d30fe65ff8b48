import assert from "node:assert/strict";
import { writeSolidPng } from "../datasets/_test_utils.ts";

const root = new URL("..", import.meta.url).pathname;

/** Runs `examples/NAME.ts ARGS`: its exit code and the lines it printed to stderr. */
async function command(name: string, args: string[]): Promise<{ code: number; lines: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `examples/${name}.ts`, ...args],
    cwd: root,
    stdout: "null",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const lines = new TextDecoder().decode(out.stderr).trimEnd().split("\n");
  return { code: out.code, lines };
}

/** The command failed with exit code 2 and this one line last, and no stack trace. */
function assertOneLine(run: { code: number; lines: string[] }, message: string): void {
  assert.equal(run.code, 2, run.lines.join("\n"));
  assert.equal(run.lines.at(-1), `error: ${message}`);
  assert.ok(!run.lines.some((l) => /^\s+at /.test(l)), run.lines.join("\n"));
}

Deno.test("`deno task pretrain` and `probe` on bad image folders: one line each, exit code 2", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cache = ["--image-cache", `${dir}/cache`];
    // An empty folder.
    await Deno.mkdir(`${dir}/empty`);
    assertOneLine(
      await command("pretrain", ["--data", `${dir}/empty`, "--out", `${dir}/run1`, ...cache]),
      `${dir}/empty is neither an stl10_binary folder (train_X.bin, test_X.bin, unlabeled_X.bin) ` +
        "nor an image folder (images, DIR/<class>/<image> or DIR/train/<class>/<image>; no image " +
        "files found, it is empty)",
    );
    // Fewer images than a batch.
    for (let i = 0; i < 5; i++) await writeSolidPng(`${dir}/five/${i}.png`, 12, 12, [i, 0, 0]);
    assertOneLine(
      await command("pretrain", [
        ...["--data", `${dir}/five`, "--out", `${dir}/run2`, ...cache],
        ...["--batch-size", "8", "--epochs", "1", "--backend", "cpu", "--image-size", "16"],
      ]),
      `--batch-size is 8: expected at most the 5 training images of ${dir}/five`,
    );
    // One class, for the probe.
    for (let i = 0; i < 4; i++) await writeSolidPng(`${dir}/one/cat/${i}.png`, 12, 12, [i, 0, 0]);
    assertOneLine(
      await command("probe", [
        ...["--data", `${dir}/one`, "--out", `${dir}/probe`, "--random-init", ...cache],
        ...["--cache", `${dir}/features`, "--backend", "cpu"],
      ]),
      `--data ${dir}/one: its train images are all of one class (cat): expected 2 or more ` +
        "classes to train a classifier on",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { writeFileAtomic } from "./write_atomic.ts";

/** Why a tmpfs cannot be mounted here, or null. */
async function mountTmpfs(at: string, size: string): Promise<string | null> {
  if (Deno.build.os !== "linux") return "mounting a tmpfs needs Linux";
  const mount = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", at],
    stderr: "piped",
  }).output().catch((error) => ({ success: false, stderr: new TextEncoder().encode(`${error}`) }));
  return mount.success
    ? null
    : `cannot mount a tmpfs (${new TextDecoder().decode(mount.stderr).trim()})`;
}

const probe = await Deno.makeTempDir();
const noTmpfs = await mountTmpfs(probe, "64k");
if (noTmpfs === null) await new Deno.Command("umount", { args: [probe] }).output();
await Deno.remove(probe);
if (noTmpfs) console.error(`skipping the full-disk test of writeFileAtomic(): ${noTmpfs}`);

Deno.test({
  name:
    "`writeFileAtomic()` on a full or read-only disk throws a `WriteError` naming the file, leaving the old one",
  ignore: noTmpfs !== null,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    assert.equal(await mountTmpfs(dir, "64k"), null);
    try {
      await writeFileAtomic(`${dir}/report.html`, "old");
      await assert.rejects(() => writeFileAtomic(`${dir}/report.html`, new Uint8Array(100_000)), {
        name: "WriteError",
        code: "ENOSPC",
        message: `cannot write ${dir}/report.html: the disk is full (No space left on device ` +
          "(os error 28))",
      });
      assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["report.html"]);
      assert.equal(await Deno.readTextFile(`${dir}/report.html`), "old");
      const ro = await new Deno.Command("mount", { args: ["-o", "remount,ro", dir] }).output();
      assert.ok(ro.success);
      await assert.rejects(() => writeFileAtomic(`${dir}/report.html`, "new", { sync: true }), {
        name: "WriteError",
        code: "EROFS",
        message: `cannot write ${dir}/report.html: the file system is read-only (Read-only file ` +
          "system (os error 30))",
      });
    } finally {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

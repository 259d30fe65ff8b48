import assert from "node:assert/strict";
import { writeFileAtomic } from "./write_atomic.ts";
import { mountTmpfs, whyNoTmpfs } from "./_test_utils.ts";

const noTmpfs = await whyNoTmpfs();
if (noTmpfs) console.error(`skipping the full-disk test of writeFileAtomic(): ${noTmpfs}`);

Deno.test({
  name:
    "`writeFileAtomic()` on a full or read-only disk throws a `WriteError` naming the file, leaving the old one",
  ignore: noTmpfs !== null,
  fn: async () => {
    const disk = await mountTmpfs(64 << 10);
    const dir = disk.dir;
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
      await disk.remount("ro");
      await assert.rejects(() => writeFileAtomic(`${dir}/report.html`, "new", { sync: true }), {
        name: "WriteError",
        code: "EROFS",
        message: `cannot write ${dir}/report.html: the file system is read-only (Read-only file ` +
          "system (os error 30))",
      });
    } finally {
      await disk.unmount();
    }
  },
});

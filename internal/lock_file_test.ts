import assert from "node:assert/strict";
import { acquireLockFile, LockError, type LockHolder } from "./lock_file.ts";

const describe = (holder: LockHolder) => `held by pid ${holder.pid}`;

/** A lock file as another process would have written it. */
async function lockOf(path: string, pid: number, startTicks: number | null): Promise<void> {
  const holder = { pid, host: Deno.hostname(), startTicks, since: new Date().toISOString() };
  await Deno.writeTextFile(path, JSON.stringify(holder));
}

function ticksOf(pid: number): number {
  const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]);
}

Deno.test({
  name: "`acquireLockFile()` refuses a live holder, and takes over a dead one or a reused pid",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/run.lock`;
    const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
    try {
      await lockOf(path, child.pid, ticksOf(child.pid));
      await assert.rejects(() => acquireLockFile(path, describe), (error: unknown) => {
        assert.ok(error instanceof LockError);
        assert.equal(error.message, `held by pid ${child.pid}`);
        assert.equal(error.holder.pid, child.pid);
        return true;
      });
      // The same pid, started at another time: another process got the dead holder's pid.
      await lockOf(path, child.pid, ticksOf(child.pid) + 1);
      const reused = await acquireLockFile(path, describe);
      assert.equal(reused.tookOverFrom?.pid, child.pid);
      assert.equal(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
      reused.release();
    } finally {
      child.kill("SIGKILL");
      await child.status;
    }
    // Its holder was killed: taken over.
    await lockOf(path, child.pid, null);
    const lock = await acquireLockFile(path, describe);
    assert.equal(lock.tookOverFrom?.pid, child.pid);
    lock.release();
    // Not a lock file this function writes (cut short, say): stale too.
    await Deno.writeTextFile(path, '{"pid":');
    const again = await acquireLockFile(path, describe);
    assert.equal(again.tookOverFrom?.pid, -1);
    again.release();
    assert.deepEqual([...Deno.readDirSync(dir)], []); // nothing left beside it
    await Deno.remove(dir);
  },
});

Deno.test("`acquireLockFile()` nests in one process: the file goes with the last release", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/run.lock`;
  const outer = await acquireLockFile(path, describe);
  const inner = await acquireLockFile(path, describe);
  inner.release();
  assert.equal(JSON.parse(await Deno.readTextFile(path)).pid, Deno.pid);
  outer.release();
  assert.equal(await Deno.stat(path).catch(() => null), null);
  outer.release(); // releasing twice is harmless
  await Deno.remove(dir);
});

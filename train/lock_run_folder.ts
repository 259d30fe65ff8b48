// Copyright 2026 the simclr authors. MIT license.
import { acquireLockFile, type HeldLock } from "@simclr/internal/lock-file";
import { WriteError } from "@simclr/internal/write-error";

/** A run folder held by this process; {@linkcode RunFolderLock.release} gives it up. */
export interface RunFolderLock {
  /** The lock file, `<outDir>/run.lock`. */
  path: string;
  /** Gives the folder up (nested holds in one process release it with the last one). */
  release(): void;
}

/**
 * Claims a run folder for this process, so that two runs never write into one folder: creates
 * `<outDir>/run.lock` naming this process (pid, host, start time) atomically. A folder a live
 * run holds is refused with a `LockError` that names its pid; the lock of a run that no longer
 * runs (killed) is taken over, and one line says so. `fit()` holds its `outDir` while it
 * trains; call this first to hold it over more (writing the run's config before `fit()`, the
 * report after): holds nest within a process. The lock goes when released or when the process
 * exits.
 *
 * @param outDir The run folder (created when missing).
 * @param options `log`: where the line about a lock taken over goes (default `console.error`).
 * @returns The held lock.
 *
 * @example
 * ```ts
 * import { lockRunFolder } from "@simclr/train";
 * import assert from "node:assert/strict";
 *
 * const outDir = await Deno.makeTempDir();
 * const lock = await lockRunFolder(outDir);
 * assert.equal(JSON.parse(await Deno.readTextFile(`${outDir}/run.lock`)).pid, Deno.pid);
 * lock.release();
 * await Deno.remove(outDir);
 * ```
 */
export async function lockRunFolder(
  outDir: string,
  options: { log?: ((line: string) => void) | null } = {},
): Promise<RunFolderLock> {
  const log = options.log === undefined ? (line: string) => console.error(line) : options.log;
  await Deno.mkdir(outDir, { recursive: true }).catch((error) => {
    throw WriteError.from(outDir, error) ?? error;
  });
  const path = `${outDir}/run.lock`;
  const lock: HeldLock = await acquireLockFile(
    path,
    (holder) =>
      `${outDir} is in use by another run: pid ${holder.pid}` +
      (holder.host !== Deno.hostname() ? ` on ${holder.host}` : "") +
      `, since ${holder.since} (${path}): wait for it to end, stop it, or use another --out`,
  );
  if (lock.tookOverFrom !== null) {
    const pid = lock.tookOverFrom.pid;
    log?.(
      `${path}: taking over the lock of ${
        pid > 0 ? `pid ${pid}` : "an unreadable lock file"
      }, which is no longer running (a run that was killed)`,
    );
  }
  return { path, release: lock.release };
}

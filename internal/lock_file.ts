// Copyright 2026 the simclr authors. MIT license.
/**
 * A lock file that says which process holds something (a run folder), created atomically,
 * taken over when its holder is no longer running, released on exit.
 *
 * @module
 */
import { WriteError } from "./write_error.ts";
import { syncFolder, writeTemporary } from "./write_atomic.ts";

/** What a lock file records about its holder. */
export interface LockHolder {
  /** The holder's process id. */
  pid: number;
  /** The host it runs on. */
  host: string;
  /** When the process started, in clock ticks since boot (Linux's `/proc/PID/stat`), if known. */
  startTicks: number | null;
  /** When it took the lock (ISO 8601). */
  since: string;
}

/** A held lock; {@linkcode HeldLock.release} gives it up. */
export interface HeldLock {
  /** The lock file. */
  path: string;
  /** The holder whose stale lock was taken over, if it was. */
  tookOverFrom: LockHolder | null;
  /** Gives the lock up (the file is removed when the last holder in this process releases it). */
  release(): void;
}

/** A lock held by another live process. */
export class LockError extends Error {
  /**
   * Builds the error.
   *
   * @param message What is locked, by whom, and what to do.
   * @param holder The process that holds the lock.
   */
  constructor(message: string, readonly holder: LockHolder) {
    super(message);
    this.name = "LockError";
  }
}

/** Locks this process holds: path to the number of nested acquisitions. */
const held = new Map<string, number>();
let unloadHooked = false;

/** The start time of process `pid` in clock ticks since boot, or null where unknown. */
function startTicks(pid: number): number | null {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // "pid (command) state ppid ...": the command may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[19]); // field 22 of the whole line
  } catch {
    return null;
  }
}

/**
 * Whether the holder of a lock still runs: on this host, its pid exists and (where `/proc`
 * tells) started when the lock says, so a pid reused by another process does not count. On
 * another host, or without `/proc`, it is assumed alive.
 */
function alive(holder: LockHolder): boolean {
  if (holder.host !== Deno.hostname()) return true;
  if (holder.pid === Deno.pid) return true;
  try {
    Deno.statSync("/proc/self");
  } catch {
    return true; // no /proc: cannot tell
  }
  const ticks = startTicks(holder.pid);
  if (ticks === null) return false;
  return holder.startTicks === null || holder.startTicks === ticks;
}

function readHolder(path: string): LockHolder | null {
  try {
    const holder = JSON.parse(Deno.readTextFileSync(path));
    return typeof holder?.pid === "number" ? holder : null;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    // Not JSON: not written by this function (its files appear whole), so treat it as stale.
    return { pid: -1, host: Deno.hostname(), startTicks: null, since: "" };
  }
}

/**
 * Takes the lock file `path`: creates it holding this process's pid, host and start time
 * (written to a temporary file, then linked to `path`, which fails when `path` exists: the file
 * appears whole, and only one of two racing processes gets it). A lock whose holder no longer
 * runs (a killed process: its pid is gone, or now belongs to a process started later) is taken
 * over, and `tookOverFrom` says whose it was. Nested acquisitions in one process share the file;
 * it is removed when the last one is released, or when the process exits (`Deno.exit`, the end
 * of the program).
 *
 * @param path The lock file.
 * @param describe The message of the {@linkcode LockError} thrown when a live process holds the
 *   lock, from its holder.
 * @returns The held lock.
 *
 * @example
 * ```ts
 * import { acquireLockFile } from "@simclr/internal/lock-file";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireLockFile(`${dir}/run.lock`, (h) => `held by pid ${h.pid}`);
 * assert.equal(JSON.parse(await Deno.readTextFile(`${dir}/run.lock`)).pid, Deno.pid);
 * lock.release();
 * assert.deepEqual([...Deno.readDirSync(dir)], []);
 * await Deno.remove(dir);
 * ```
 */
export async function acquireLockFile(
  path: string,
  describe: (holder: LockHolder) => string,
): Promise<HeldLock> {
  const release = () => releaseLock(path);
  const nested = held.get(path);
  if (nested !== undefined) {
    held.set(path, nested + 1);
    return { path, tookOverFrom: null, release };
  }
  const me: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    startTicks: startTicks(Deno.pid),
    since: new Date().toISOString(),
  };
  let tookOverFrom: LockHolder | null = null;
  for (let attempt = 0; attempt < 5; attempt++) {
    const temporary = await writeTemporary(path, JSON.stringify(me) + "\n", { sync: true });
    try {
      await Deno.link(temporary, path);
      await Deno.remove(temporary);
      await syncFolder(path.slice(0, Math.max(0, path.lastIndexOf("/"))) || ".");
      held.set(path, 1);
      hookUnload();
      return { path, tookOverFrom, release };
    } catch (error) {
      await Deno.remove(temporary).catch(() => {});
      if (!(error instanceof Deno.errors.AlreadyExists)) {
        throw WriteError.from(path, error) ?? error;
      }
    }
    const holder = readHolder(path);
    if (holder === null) continue; // released meanwhile
    if (alive(holder)) throw new LockError(describe(holder), holder);
    // Stale: move it aside (only one racer succeeds), check it is the one judged, drop it.
    const aside = `${path}.stale-${Deno.pid}`;
    try {
      await Deno.rename(path, aside);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw WriteError.from(path, error) ?? error;
    }
    const moved = readHolder(aside);
    if (moved !== null && moved.pid !== holder.pid) {
      await Deno.link(aside, path).catch(() => {}); // a live lock taken in between: restore it
    } else {
      tookOverFrom = holder;
    }
    await Deno.remove(aside).catch(() => {});
  }
  throw new Error(`acquireLockFile(): ${path} kept changing hands: expected to settle`);
}

function releaseLock(path: string): void {
  const count = held.get(path);
  if (count === undefined) return;
  if (count > 1) {
    held.set(path, count - 1);
    return;
  }
  held.delete(path);
  removeIfMine(path);
}

function removeIfMine(path: string): void {
  if (readHolder(path)?.pid !== Deno.pid) return;
  try {
    Deno.removeSync(path);
  } catch {
    // gone already, or the folder vanished
  }
}

function hookUnload(): void {
  if (unloadHooked) return;
  unloadHooked = true;
  globalThis.addEventListener("unload", () => {
    for (const path of held.keys()) removeIfMine(path);
    held.clear();
  });
}

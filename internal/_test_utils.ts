// Test helpers shared by the tests that fill or freeze a disk for real (internal, train, tests/).

/** A mounted tmpfs: its folder, and how to change its options or take it away. */
export interface Tmpfs {
  /** Where it is mounted. */
  dir: string;
  /** `mount -o remount,OPTIONS`: e.g. `size=64m` (space freed) or `ro`. */
  remount(options: string): Promise<void>;
  /** Unmounts it and removes its folder. */
  unmount(): Promise<void>;
}

/** Mounts a tmpfs of `bytes` at a new folder; throws, saying why, where it cannot. */
export async function mountTmpfs(bytes: number): Promise<Tmpfs> {
  const dir = await Deno.makeTempDir({ prefix: "simclr-tmpfs-" });
  const run = (args: string[]) =>
    new Deno.Command("mount", { args, stderr: "piped" }).output().catch((error) => ({
      success: false,
      stderr: new TextEncoder().encode(String(error)),
    }));
  const mounted = await run(["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir]);
  if (!mounted.success) {
    await Deno.remove(dir);
    throw new Error(new TextDecoder().decode(mounted.stderr).trim());
  }
  return {
    dir,
    remount: async (options) => {
      const result = await run(["-o", `remount,${options}`, dir]);
      if (!result.success) throw new Error(`mount -o remount,${options} ${dir} failed`);
    },
    unmount: async () => {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Why a tmpfs cannot be mounted here (the tests that need one are then ignored, and print
 * this), or null when it can.
 */
export async function whyNoTmpfs(): Promise<string | null> {
  if (Deno.build.os !== "linux") return "mounting a tmpfs needs Linux";
  try {
    await (await mountTmpfs(1 << 16)).unmount();
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message}; it needs root)`;
  }
}

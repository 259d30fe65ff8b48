// Copyright 2026 the simclr authors. MIT license.
/**
 * `deno task bench --profile`: runs tools/profile_step.ts in a child process for one backend
 * and size and returns its kernels' milliseconds as bench report entries.
 *
 * @module
 */

/**
 * Profiles one training step of `backend` at `size` px, batch 2 x `batch`, in a child process.
 *
 * @param backend The backend (`wasm`, `native`, ...).
 * @param size Image side in pixels.
 * @param batch Images per view.
 * @param width The ResNet's width (64: ResNet-18).
 * @returns `profile_<backend>_<size>` (the kernels' ms as JSON) and `..._step_ms`, or `..._error`.
 */
export async function profileStep(
  backend: string,
  size: number,
  batch: number,
  width = 64,
): Promise<Record<string, string | number>> {
  const key = `profile_${backend}_${size}`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./profile_step.ts", import.meta.url).pathname,
      "--backend",
      backend,
      "--size",
      String(size),
      "--batch",
      String(batch),
      "--width",
      String(width),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const line = new TextDecoder().decode(out.stdout).trim().split("\n").findLast((l) =>
    l.startsWith("{")
  );
  if (!out.success || line === undefined) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").slice(-3).join(" | ");
    return { [`${key}_error`]: err };
  }
  const result = JSON.parse(line) as { stepMs: number; kernels: Record<string, number> };
  const top = Object.entries(result.kernels).slice(0, 12).map(([k, ms]) => `${k} ${ms}`);
  console.error(`${backend} ${size} px, one step ${result.stepMs} ms: ${top.join(", ")}`);
  return { [key]: JSON.stringify(result.kernels), [`${key}_step_ms`]: result.stepMs };
}

// Internal file helpers.

/** Writes `bytes` to a temporary name beside `path`, then renames it to `path`. */
export async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temp = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeFile(temp, typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes);
  await Deno.rename(temp, path);
}

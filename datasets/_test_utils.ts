// Test helpers: STL10 files with known pixel patterns, written byte by byte in the file
// layout (independently of stl10_layout.ts, so a layout bug cannot cancel itself out).

/** Pixel value of image `n`, channel `c`, row `y`, column `x` (HWC meaning). */
export function pattern(n: number, c: number, y: number, x: number): number {
  return (n * 31 + c * 85 + y * 3 + x * 7) % 256;
}

/** Raw STL10 bytes of `count` pattern images starting at image number `first`. */
export function patternFileBytes(first: number, count: number, size = 96): Uint8Array {
  const out = new Uint8Array(count * 3 * size * size);
  let i = 0;
  for (let n = first; n < first + count; n++) {
    for (let c = 0; c < 3; c++) {
      for (let x = 0; x < size; x++) {
        for (let y = 0; y < size; y++) out[i++] = pattern(n, c, y, x);
      }
    }
  }
  return out;
}

/** HWC bytes the reader must return for pattern images `ns`. */
export function patternHWC(ns: ArrayLike<number>, size = 96): Uint8Array {
  const out = new Uint8Array(ns.length * 3 * size * size);
  let i = 0;
  for (let k = 0; k < ns.length; k++) {
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        for (let c = 0; c < 3; c++) out[i++] = pattern(ns[k], c, y, x);
      }
    }
  }
  return out;
}

/** Writes `name_X.bin` with pattern images (numbered from `first`) and, if given, `name_y.bin`. */
export async function writePatternSplit(
  dir: string,
  name: string,
  count: number,
  fileLabels: number[] | null,
  first = 0,
): Promise<void> {
  await Deno.writeFile(`${dir}/${name}_X.bin`, patternFileBytes(first, count));
  if (fileLabels !== null) {
    await Deno.writeFile(`${dir}/${name}_y.bin`, Uint8Array.from(fileLabels));
  }
}

/** Debian's Python, with PIL, torchvision and scikit-learn (the reference decoders). */
export const PYTHON = "/usr/bin/python3";

/** Runs `PYTHON args...`; throws with its stderr when it fails. Returns its stdout. */
export async function runPython(args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, { args, stdout: "piped", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${PYTHON} ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
  }
  return new TextDecoder().decode(out.stdout);
}

/** Writes a `width x height` PNG of one colour (made by sharp), creating its folder. */
export async function writeSolidPng(
  path: string,
  width: number,
  height: number,
  [r, g, b]: readonly [number, number, number],
): Promise<void> {
  const { default: sharp } = await import("sharp");
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
  const png = await sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .png().toBuffer();
  await Deno.writeFile(path, png);
}

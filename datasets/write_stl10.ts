import { argumentMessage, checkInteger, show } from "@simclr/internal/checks";
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import { joinPath } from "./_fs.ts";
import { STL10_CLASS_NAMES } from "./open_stl10.ts";
import { hwcToSTL10, STL10_IMAGE_SIZE } from "./stl10_layout.ts";

/** Options of {@linkcode writeSTL10Split}. */
export interface WriteSTL10Options {
  /** Image side in pixels. Default 96 (other sizes also write `image_size.txt`). */
  imageSize?: number;
}

/**
 * Writes one split in the STL10 binary format: `<name>_X.bin` (channel-major, column-major
 * planes) and, when labels are given, `<name>_y.bin` (label + 1 in a byte). Each file is written to a
 * temporary name and renamed. Used by the demo data generator and by tests.
 *
 * @param dir Destination folder (created if missing).
 * @param name File prefix: `"train"`, `"test"` or `"unlabeled"`.
 * @param pixels HWC row-major bytes of the images, `imageSize * imageSize * 3` per image.
 * @param labels 0-based labels (0..254; STL10: 0..9), one per image, or `null` for unlabeled images.
 * @param options Image size.
 * @returns The number of images written.
 *
 * @example
 * ```ts
 * import { openSTL10, writeSTL10Split } from "@simclr/datasets";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const pixels = Uint8Array.from({ length: 2 * 96 * 96 * 3 }, (_, i) => i % 251);
 * await writeSTL10Split(dir, "test", pixels, Int32Array.from([4, 9]));
 * const test = await openSTL10(dir, "test");
 * const batch = await test.read([0, 1]);
 * deepStrictEqual(batch.pixels, pixels);
 * deepStrictEqual(Array.from(batch.labels!), [4, 9]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSTL10Split(
  dir: string,
  name: "train" | "test" | "unlabeled",
  pixels: Uint8Array,
  labels: ArrayLike<number> | null,
  options: WriteSTL10Options = {},
): Promise<number> {
  const fn = "writeSTL10Split()";
  const size = options.imageSize ?? STL10_IMAGE_SIZE;
  checkInteger(fn, "options.imageSize", size, { min: 1 });
  if (!["train", "test", "unlabeled"].includes(name)) {
    throw new TypeError(
      argumentMessage(fn, `name is ${show(name)}`, '"train", "test" or "unlabeled"'),
    );
  }
  const bytes = 3 * size * size;
  if (pixels.length % bytes !== 0) {
    throw new RangeError(
      argumentMessage(
        fn,
        `pixels has ${pixels.length} bytes`,
        `a multiple of ${bytes} (${size}x${size}x3 per image)`,
      ),
    );
  }
  const count = pixels.length / bytes;
  let y: Uint8Array | null = null;
  if (labels !== null) {
    if (labels.length !== count) {
      throw new RangeError(
        argumentMessage(fn, `labels has length ${labels.length}`, `${count} (one per image)`),
      );
    }
    y = new Uint8Array(count);
    for (let i = 0; i < count; i++) {
      const v = labels[i];
      if (!Number.isInteger(v) || v < 0 || v > 254) {
        throw new RangeError(
          argumentMessage(
            fn,
            `labels[${i}] is ${show(v)}`,
            "an integer in 0..254 (stored as label + 1 in one byte)",
          ),
        );
      }
      y[i] = v + 1;
    }
  }
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(joinPath(dir, `${name}_X.bin`), hwcToSTL10(pixels, count, size));
  if (y !== null) await writeFileAtomic(joinPath(dir, `${name}_y.bin`), y);
  const sizePath = joinPath(dir, "image_size.txt");
  if (size !== STL10_IMAGE_SIZE) await writeFileAtomic(sizePath, `${size}\n`);
  else await Deno.remove(sizePath).catch(() => {}); // from an earlier data set in this folder
  return count;
}

/**
 * Writes `class_names.txt` (one name per line) into an STL10 folder, atomically.
 *
 * @param dir Destination folder (created if missing).
 * @param names Class names, default STL10's.
 * @returns Nothing.
 *
 * @example
 * ```ts
 * import { openSTL10, writeClassNames, writeSTL10Split } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeSTL10Split(dir, "test", new Uint8Array(96 * 96 * 3), [0]);
 * await writeClassNames(dir, ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
 * strictEqual((await openSTL10(dir, "test")).classNames[1], "b");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeClassNames(
  dir: string,
  names: readonly string[] = STL10_CLASS_NAMES,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await writeFileAtomic(joinPath(dir, "class_names.txt"), names.join("\n") + "\n");
}

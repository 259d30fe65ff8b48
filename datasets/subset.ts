import { argumentMessage, show } from "@simclr/internal/checks";
import type { ImageBatch, ImageSource } from "./image_source.ts";

/** A view of some images of a source: its side and class names, and the chosen images' labels. */
export interface Subset extends ImageSource {
  /** Indices into the parent source, in subset order. */
  readonly indices: Int32Array;
}

/**
 * A view of `source` restricted to `indices` (in that order); reads go to the source.
 *
 * @param source A split from {@linkcode openSTL10} (or any image source).
 * @param indices Indices into `source`.
 * @returns The subset.
 *
 * @example The tutorial's 10 images per class
 * ```ts
 * import { generateDemoData, openSTL10, perClassIndices, subset } from "@simclr/datasets";
 * import { deepStrictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 12, testPerClass: 1, unlabeled: 0 });
 * const train = await openSTL10(dir, "train");
 * const small = subset(train, perClassIndices(train.labels()!, 10));
 * deepStrictEqual(Array.from(small.labels()!.slice(8, 12)), [0, 0, 1, 1]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function subset(source: ImageSource, indices: ArrayLike<number>): Subset {
  const idx = Int32Array.from(indices);
  for (let i = 0; i < idx.length; i++) {
    if (idx[i] !== indices[i] || idx[i] < 0 || idx[i] >= source.length) {
      throw new RangeError(
        argumentMessage(
          "subset()",
          `indices[${i}] is ${show(indices[i])}`,
          `an integer in 0..${source.length - 1}`,
        ),
      );
    }
  }
  const all = source.labels();
  const labels = all === null ? null : idx.map((i) => all[i]);
  return {
    length: idx.length,
    imageSize: source.imageSize,
    classNames: source.classNames,
    indices: idx,
    labels: () => labels === null ? null : labels.slice(),
    read: async (sub: ArrayLike<number>): Promise<ImageBatch> => {
      const mapped = new Int32Array(sub.length);
      for (let i = 0; i < sub.length; i++) {
        const s = sub[i];
        if (!Number.isInteger(s) || s < 0 || s >= idx.length) {
          throw new RangeError(
            argumentMessage(
              "Subset.read()",
              `indices[${i}] is ${show(s)}`,
              `an integer in 0..${idx.length - 1}`,
            ),
          );
        }
        mapped[i] = idx[s];
      }
      return await source.read(mapped);
    },
  };
}

/** Images and labels returned by {@linkcode ImageSource.read}. */
export interface ImageBatch {
  /** HWC row-major bytes, `imageSize * imageSize * 3` per image, in the order asked for. */
  pixels: Uint8Array;
  /** 0-based labels (-1 for an unlabeled image among labelled ones), or `null` when the source has none. */
  labels: Int32Array | null;
}

/**
 * What every function that reads images takes: a split of STL10 ({@linkcode openSTL10}), a
 * subset of one ({@linkcode subset}), the demo data set, or an image folder. Images are
 * square, `imageSize` pixels a side, stored as uint8 HWC.
 */
export interface ImageSource {
  /** Number of images. */
  readonly length: number;
  /** Side of the stored images in pixels. */
  readonly imageSize: number;
  /** Names of the classes, indexed by label (empty when the source has no labels). */
  readonly classNames: readonly string[];
  /** All labels in source order (a copy), or `null` when the source has none. */
  labels(): Int32Array | null;
  /** Reads the images at `indices` (any order, repeats allowed). */
  read(indices: ArrayLike<number>): Promise<ImageBatch>;
}

// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// Images in and out of the page: files to HWC bytes, tensors and bytes to canvases.
import * as tf from "@tensorflow/tfjs";

/**
 * Decodes an image file and resizes it to `size` x `size` (a centred square crop, as the views'
 * source), as HWC RGB bytes.
 */
export async function fileToPixels(file: Blob, size: number): Promise<Uint8Array> {
  const bitmap = await createImageBitmap(file);
  try {
    const side = Math.min(bitmap.width, bitmap.height);
    const canvas = new OffscreenCanvas(size, size);
    const context = canvas.getContext("2d")!;
    context.imageSmoothingQuality = "high";
    const sx = (bitmap.width - side) / 2, sy = (bitmap.height - side) / 2;
    context.drawImage(bitmap, sx, sy, side, side, 0, 0, size, size);
    const rgba = context.getImageData(0, 0, size, size);
    const rgb = tf.tidy(() => tf.browser.fromPixels(rgba, 3));
    const values = await rgb.data();
    rgb.dispose();
    return Uint8Array.from(values);
  } finally {
    bitmap.close();
  }
}

/** A canvas showing image `index` of HWC bytes (`size` x `size` each). */
export async function pixelsCanvas(
  pixels: Uint8Array,
  size: number,
  index = 0,
  className = "",
): Promise<HTMLCanvasElement> {
  const bytes = size * size * 3;
  const image = tf.tensor3d(
    pixels.subarray(index * bytes, (index + 1) * bytes),
    [size, size, 3],
    "int32",
  );
  const canvas = document.createElement("canvas");
  canvas.className = className;
  await tf.browser.toPixels(image, canvas);
  image.dispose();
  return canvas;
}

/** Canvases showing each row of normalised views (`[-1, 1]`, the tutorial's Normalize(0.5, 0.5)). */
export async function viewCanvases(views: tf.Tensor4D): Promise<HTMLCanvasElement[]> {
  const shown = tf.tidy(() => tf.unstack(tf.clipByValue(tf.add(tf.mul(views, 0.5), 0.5), 0, 1)));
  const canvases: HTMLCanvasElement[] = [];
  for (const view of shown) {
    const canvas = document.createElement("canvas");
    canvas.className = "view";
    await tf.browser.toPixels(view as tf.Tensor3D, canvas);
    canvases.push(canvas);
  }
  tf.dispose(shown);
  return canvases;
}

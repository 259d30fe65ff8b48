// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// Panel 1: the tutorial's views of one image, in pairs, with the settings as controls.
import type * as tf from "@tensorflow/tfjs";
import { simclrViews } from "@simclr/augment/simclr-views";
import { fileToPixels, pixelsCanvas, viewCanvases } from "./_images.ts";
import { byId, dropZone, errorMessage, log } from "./_page.ts";

/** Side of the augmentation panel's source image and views (the tutorial's 96 px). */
export const AUGMENT_SIZE = 96;

/** The panel's settings, as its controls hold them. */
export interface AugmentSettings {
  pairs: number;
  /** Smallest crop area of RandomResizedCrop. */
  cropMin: number;
  /** ColorJitter strength: brightness, contrast, saturation = s; hue = s / 5 (0.5: the tutorial's). */
  jitter: number;
  /** Largest blur sigma in pixels; the smallest is a twentieth of it (the tutorial: 0.1-2). */
  blurMax: number;
}

/** Reads the controls. */
export function augmentSettings(): AugmentSettings {
  const number = (id: string) => Number(byId<HTMLInputElement>(id).value);
  return {
    pairs: Math.max(1, Math.min(12, Math.round(number("augment-pairs")) || 1)),
    cropMin: number("augment-crop"),
    jitter: number("augment-jitter"),
    blurMax: number("augment-blur"),
  };
}

/** `pairs` pairs of views of one image (HWC bytes, 96 x 96), view-major: pair i is rows i, pairs + i. */
export function augmentPairs(
  pixels: Uint8Array,
  settings: AugmentSettings,
  seed: number,
): tf.Tensor4D {
  const { pairs, cropMin, jitter, blurMax } = settings;
  const copies = new Uint8Array(pixels.length * pairs);
  for (let i = 0; i < pairs; i++) copies.set(pixels, i * pixels.length);
  return simclrViews({ pixels: copies, height: AUGMENT_SIZE, width: AUGMENT_SIZE, count: pairs }, {
    seed,
    nViews: 2,
    size: AUGMENT_SIZE,
    cropScale: [cropMin, 1],
    brightness: jitter,
    contrast: jitter,
    saturation: jitter,
    hue: Math.min(0.5, jitter / 5),
    blurSigma: [blurMax / 20, blurMax],
  });
}

/** Wires the panel; draws the first pairs of `initial` (HWC bytes, 96 x 96). */
export async function setupAugmentPanel(initial: Uint8Array): Promise<{ draw(): Promise<number> }> {
  let pixels = initial;
  let seed = 1;
  const container = byId("augment-views");
  const draw = async (): Promise<number> => {
    const settings = augmentSettings();
    const views = augmentPairs(pixels, settings, seed++);
    const canvases = await viewCanvases(views);
    views.dispose();
    const items: HTMLElement[] = [];
    const original = document.createElement("figure");
    original.setAttribute("role", "listitem");
    original.append(await pixelsCanvas(pixels, AUGMENT_SIZE, 0, "view"));
    original.append(Object.assign(document.createElement("figcaption"), { textContent: "image" }));
    items.push(original);
    for (let i = 0; i < settings.pairs; i++) {
      const figure = document.createElement("figure");
      figure.setAttribute("role", "listitem");
      const pair = document.createElement("div");
      pair.className = "pair";
      pair.append(canvases[i], canvases[settings.pairs + i]);
      const [a, b] = [canvases[i], canvases[settings.pairs + i]];
      a.setAttribute("aria-label", `pair ${i + 1}, view 1`);
      b.setAttribute("aria-label", `pair ${i + 1}, view 2`);
      figure.append(
        pair,
        Object.assign(document.createElement("figcaption"), { textContent: `pair ${i + 1}` }),
      );
      items.push(figure);
    }
    container.replaceChildren(...items);
    return settings.pairs;
  };
  const redraw = () => draw().catch((error) => log(`augment: ${errorMessage(error)}`));
  const load = async (file: File | undefined) => {
    if (!file) return;
    try {
      pixels = await fileToPixels(file, AUGMENT_SIZE);
      await draw();
    } catch (error) {
      log(`augment: ${file.name} could not be read as an image: ${errorMessage(error)}`);
    }
  };
  byId<HTMLInputElement>("augment-file").addEventListener("change", (event) => {
    load((event.target as HTMLInputElement).files?.[0]);
  });
  dropZone("augment-drop", (data) => load(data.files[0]));
  for (const id of ["augment-crop", "augment-jitter", "augment-blur"]) {
    const input = byId<HTMLInputElement>(id);
    input.addEventListener("input", () => {
      byId(`${id}-out`).textContent = input.value;
    });
    input.addEventListener("change", redraw);
  }
  byId("augment-pairs").addEventListener("change", redraw);
  byId("augment-resample").addEventListener("click", redraw);
  await draw();
  return { draw };
}

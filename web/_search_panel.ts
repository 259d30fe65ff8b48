// Copyright 2026 the simclr authors. MIT license.
/// <reference lib="dom" />
// Panel 3: an encoder (a checkpoint from a file, or the network being trained), a folder of
// images, their UMAP map, and the nearest neighbours of the image clicked.
import * as tf from "@tensorflow/tfjs";
import { nearestNeighbours, type Neighbours } from "@simclr/eval/nearest-neighbours";
import { umap2d } from "@simclr/eval/umap-2d";
import { decodeEncoder } from "@simclr/models/load-encoder";
import { encodeImages, type FeatureEncoder } from "./_features.ts";
import { fileToPixels, pixelsCanvas } from "./_images.ts";
import { byId, dropZone, errorMessage, log, setStatus, yieldToPage } from "./_page.ts";

/** Side the images are kept at (then resized to the encoder's image size). */
export const SEARCH_SOURCE_SIZE = 96;
/** At most this many images are embedded. */
const MAX_IMAGES = 1000;

/** An image of the search panel. */
export interface SearchImage {
  name: string;
  /** HWC bytes, 96 x 96. */
  pixels: Uint8Array;
}

/** What the scripted demo uses of the search panel. */
export interface SearchPanel {
  /** Loads a checkpoint's bytes (ours or a PyTorch/Lightning one). */
  loadCheckpoint(bytes: Uint8Array, name: string): Promise<string>;
  /** Embeds the images with the encoder in use and draws their map. */
  setImages(images: SearchImage[]): Promise<void>;
  /** The nearest neighbours of image `index`, shown. */
  query(index: number): Promise<Neighbours>;
}

/** An encoder with the side its images are resized to. */
interface ActiveEncoder {
  encoder: FeatureEncoder;
  imageSize: number;
  label: string;
}

/**
 * Wires the panel. `fallback` gives the network being trained (when no checkpoint is loaded);
 * `demoImages` the demo test images.
 */
export function setupSearchPanel(
  fallback: () => ActiveEncoder | null,
  demoImages: () => SearchImage[],
): SearchPanel {
  let loaded: (ActiveEncoder & { dispose(): void }) | null = null;
  let images: SearchImage[] = [];
  let features: tf.Tensor2D | null = null;
  let points: [number, number][] = [];
  let thumbs: HTMLCanvasElement[] = [];
  let selected = -1;
  const info = byId("search-info");
  const map = byId<HTMLCanvasElement>("search-map");

  const active = (): ActiveEncoder => {
    const encoder = loaded ?? fallback();
    if (!encoder) throw new Error("no encoder: load a checkpoint, or start training first");
    return encoder;
  };

  const loadCheckpoint = async (bytes: Uint8Array, name: string): Promise<string> => {
    const result = await decodeEncoder(bytes);
    loaded?.dispose();
    const { encoder, config, format } = result;
    loaded = {
      encoder,
      imageSize: config.imageSize ?? SEARCH_SOURCE_SIZE,
      label: `${name} (${format}, ResNet width ${config.width}, ${config.stem} stem)`,
      dispose: () => encoder.dispose(),
    };
    const line = `encoder: ${loaded.label}, images at ${loaded.imageSize} px`;
    info.textContent = line;
    log(line);
    if (images.length) await setImages(images);
    return line;
  };

  const drawMap = () => {
    const g = map.getContext("2d")!;
    g.fillStyle = "#fff";
    g.fillRect(0, 0, map.width, map.height);
    if (points.length === 0) return;
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const t = 24, pad = t;
    const place = ([x, y]: [number, number]): [number, number] => [
      pad + (x - x0) / (x1 - x0 || 1) * (map.width - 2 * pad),
      pad + (y - y0) / (y1 - y0 || 1) * (map.height - 2 * pad),
    ];
    points.forEach((p, i) => {
      const [x, y] = place(p);
      g.drawImage(thumbs[i], x - t / 2, y - t / 2, t, t);
      if (i === selected) {
        g.strokeStyle = "#2f6fdf";
        g.lineWidth = 3;
        g.strokeRect(x - t / 2 - 2, y - t / 2 - 2, t + 4, t + 4);
      }
    });
    map.onclick = (event) => {
      const r = map.getBoundingClientRect();
      const cx = (event.clientX - r.left) * map.width / r.width;
      const cy = (event.clientY - r.top) * map.height / r.height;
      let best = -1, bestDistance = t * t;
      points.forEach((p, i) => {
        const [x, y] = place(p);
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (d < bestDistance) [best, bestDistance] = [i, d];
      });
      if (best >= 0) query(best).catch((error) => log(`search: ${errorMessage(error)}`));
    };
  };

  const setImages = async (list: SearchImage[]): Promise<void> => {
    images = list.slice(0, MAX_IMAGES);
    const { encoder, imageSize, label } = active();
    info.textContent = `Embedding ${images.length} images with ${label}…`;
    await yieldToPage();
    const pixels = new Uint8Array(images.length * SEARCH_SOURCE_SIZE * SEARCH_SOURCE_SIZE * 3);
    images.forEach((image, i) => pixels.set(image.pixels, i * image.pixels.length));
    features?.dispose();
    features = await encodeImages(encoder, pixels, { sourceSize: SEARCH_SOURCE_SIZE, imageSize });
    thumbs = await Promise.all(
      images.map((image) => pixelsCanvas(image.pixels, SEARCH_SOURCE_SIZE)),
    );
    points = images.length >= 3 ? await umap2d(features, { seed: 42 }) : [];
    selected = -1;
    const gallery = byId("search-gallery");
    gallery.replaceChildren(...images.map((image, i) => {
      const button = document.createElement("button");
      button.type = "button";
      button.setAttribute("aria-label", `find neighbours of ${image.name}`);
      button.setAttribute("aria-pressed", "false");
      button.title = image.name;
      const canvas = thumbs[i].cloneNode() as HTMLCanvasElement;
      canvas.getContext("2d")!.drawImage(thumbs[i], 0, 0);
      button.append(canvas);
      button.addEventListener("click", () => {
        query(i).catch((error) => log(`search: ${errorMessage(error)}`));
      });
      return button;
    }));
    byId("search-neighbours").replaceChildren();
    drawMap();
    info.textContent = `${images.length} images embedded with ${label}` +
      (points.length ? "; click one (map or list) for its neighbours." : ".");
  };

  const query = async (index: number): Promise<Neighbours> => {
    if (!features) throw new Error("no images embedded yet");
    const q = tf.slice(features, [index, 0], [1, -1]);
    const found = await nearestNeighbours(features, q, { k: Math.min(8, images.length) });
    q.dispose();
    selected = index;
    drawMap();
    byId("search-gallery").querySelectorAll("button").forEach((b, i) => {
      b.setAttribute("aria-pressed", String(i === index));
    });
    byId("search-neighbours").replaceChildren(...Array.from(found.indices, (j, rank) => {
      const figure = document.createElement("figure");
      figure.setAttribute("role", "listitem");
      const canvas = thumbs[j].cloneNode() as HTMLCanvasElement;
      canvas.getContext("2d")!.drawImage(thumbs[j], 0, 0);
      canvas.setAttribute("aria-label", images[j].name);
      const caption = document.createElement("figcaption");
      caption.textContent = `${rank === 0 ? "" : `${rank}. `}${
        found.similarities[rank].toFixed(2)
      }`;
      figure.append(canvas, caption);
      return figure;
    }));
    return found;
  };

  const run = (work: () => Promise<unknown>) =>
    work().catch((error) => {
      info.textContent = errorMessage(error);
      log(`search: ${errorMessage(error)}`);
      setStatus("error", errorMessage(error));
    });

  byId<HTMLInputElement>("search-checkpoint").addEventListener("change", (event) => {
    const file = (event.target as HTMLInputElement).files?.[0];
    if (file) run(async () => loadCheckpoint(new Uint8Array(await file.arrayBuffer()), file.name));
  });
  byId<HTMLInputElement>("search-files").addEventListener("change", (event) => {
    const files = [...((event.target as HTMLInputElement).files ?? [])];
    run(async () => setImages(await readImages(files)));
  });
  dropZone("search-drop", (data) => {
    const entries = [...data.items]
      .map((item) => item.webkitGetAsEntry())
      .filter((entry): entry is FileSystemEntry => entry !== null);
    run(async () => setImages(await readImages(await filesOf(entries))));
  });
  byId("search-demo").addEventListener("click", () => run(() => setImages(demoImages())));
  return { loadCheckpoint, setImages, query };
}

/** The image files among `files`, decoded (the ones that fail are skipped and logged). */
async function readImages(files: File[]): Promise<SearchImage[]> {
  const images: SearchImage[] = [];
  const wanted = files.filter((f) =>
    f.type.startsWith("image/") || /\.(png|jpe?g|webp|gif|bmp)$/i.test(f.name)
  )
    .sort((a, b) => a.name.localeCompare(b.name)).slice(0, MAX_IMAGES);
  for (const file of wanted) {
    try {
      images.push({
        name: file.webkitRelativePath || file.name,
        pixels: await fileToPixels(file, SEARCH_SOURCE_SIZE),
      });
    } catch (error) {
      log(`search: skipped ${file.name}: ${errorMessage(error)}`);
    }
  }
  if (images.length === 0) throw new Error("no readable images among the files");
  return images;
}

/** Every file under dropped entries (folders are walked). */
async function filesOf(entries: FileSystemEntry[]): Promise<File[]> {
  const files: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) {
      files.push(
        await new Promise<File>((resolve, reject) =>
          (entry as FileSystemFileEntry).file(resolve, reject)
        ),
      );
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      let batch: FileSystemEntry[];
      do {
        batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
          reader.readEntries(resolve, reject)
        );
        files.push(...await filesOf(batch));
      } while (batch.length > 0);
    }
  }
  return files;
}

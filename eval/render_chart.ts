// Copyright the simclr authors. MIT license.
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { ChartSpec } from "./chart_spec.ts";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { createRequire } from "node:module";
import { argumentMessage, show } from "@simclr/internal/checks";
import { writeFileAtomic } from "@simclr/internal/write-atomic";

/**
 * Renders a Vega-Lite chart to an SVG string (Vega's headless SVG renderer; no browser needed).
 *
 * @param spec A Vega-Lite specification, e.g. from {@linkcode probeCurveSpec}.
 * @returns The SVG document.
 *
 * @example
 * ```ts
 * import { probeCurveSpec, renderSvg } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const svg = await renderSvg(probeCurveSpec({ "10": { train: 1, test: 0.55 } }));
 * assert.ok(svg.startsWith("<svg"));
 * ```
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as unknown as TopLevelSpec).spec), {
    renderer: "none",
  });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options for {@linkcode svgToPng}. */
export interface SvgToPngOptions {
  /** Font files (TTF/OTF) for the text. Default: DejaVu Sans or Liberation Sans where found. */
  fontFiles?: string[];
  /** Pixel scale over the SVG's size. Default 2. */
  scale?: number;
}

const DEFAULT_FONTS = [
  "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/dejavu/DejaVuSans.ttf",
  "/usr/share/fonts/TTF/DejaVuSans.ttf",
  "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
  "/System/Library/Fonts/Supplemental/Arial.ttf",
  "C:\\Windows\\Fonts\\arial.ttf",
];

let wasmReady: Promise<void> | undefined;

function loadWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const path = require.resolve("@resvg/resvg-wasm/index_bg.wasm");
    await initWasm(await Deno.readFile(path));
  })();
  return wasmReady;
}

/**
 * Rasterises an SVG to PNG with resvg (WebAssembly; offline). resvg loads no system fonts
 * here, so the text uses the given font files (by default the first of DejaVu Sans or
 * Liberation Sans found in the usual places).
 *
 * @param svg The SVG document.
 * @param options Font files and scale.
 * @returns The PNG file's bytes.
 *
 * @example
 * ```ts
 * import { svgToPng } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const png = await svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="2"/>');
 * assert.deepEqual([...png.subarray(1, 4)], [80, 78, 71]); // "PNG"
 * ```
 */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  const fn = "svgToPng()";
  if (!(scale > 0)) {
    throw new RangeError(
      argumentMessage(fn, `options.scale is ${show(scale)}`, "a positive number"),
    );
  }
  await loadWasm();
  const fontBuffers: Uint8Array[] = [];
  for (const [i, path] of (options.fontFiles ?? DEFAULT_FONTS).entries()) {
    try {
      fontBuffers.push(await Deno.readFile(path));
      if (!options.fontFiles) break;
    } catch (error) {
      if (options.fontFiles) {
        throw new TypeError(
          argumentMessage(
            fn,
            `options.fontFiles[${i}] is ${show(path)}`,
            `a readable font file (${error})`,
          ),
        );
      }
    }
  }
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    font: { fontBuffers, loadSystemFonts: false, defaultFontFamily: "DejaVu Sans" },
  });
  try {
    const image = resvg.render();
    const png = image.asPng();
    image.free();
    return png;
  } finally {
    resvg.free();
  }
}

/**
 * Writes a chart as `<basePath>.svg` and `<basePath>.png` (each to a temporary name, then
 * renamed).
 *
 * @param basePath Path without extension, e.g. `runs/x/probe`.
 * @param spec The Vega-Lite specification.
 * @returns The SVG document (for embedding in a report).
 *
 * @example
 * ```ts
 * import { probeCurveSpec, writeChart } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await writeChart(`${dir}/probe`, probeCurveSpec({ "10": { train: 1, test: 0.6 } }));
 * assert.ok((await Deno.stat(`${dir}/probe.png`)).size > 0);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeChart(basePath: string, spec: ChartSpec): Promise<string> {
  const svg = await renderSvg(spec);
  await writeFileAtomic(`${basePath}.svg`, svg);
  await writeFileAtomic(`${basePath}.png`, await svgToPng(svg));
  return svg;
}

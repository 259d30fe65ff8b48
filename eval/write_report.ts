// Copyright the simclr authors. MIT license.
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import type { ProbeAccuracy, ProbeResults } from "./linear_probe.ts";
import { probeCurveSpec } from "./probe_curve_spec.ts";
import { renderSvg } from "./render_chart.ts";
import { trainingCurvesSpec } from "./training_curves_spec.ts";
import { TUTORIAL_BASELINE_ACCURACY, TUTORIAL_PROBE_ACCURACY } from "./tutorial_results.ts";
import { NEIGHBOUR_MARKS } from "./write_neighbour_grid.ts";

/** What {@linkcode writeReport} puts on the page; every part is optional. */
export interface ReportContents {
  /** Page title. Default `"SimCLR on STL10: report"`. */
  title?: string;
  /** The run's configuration (`config.json`), shown folded at the end. */
  config?: Record<string, unknown>;
  /** Linear-probe results of the pretrained encoder, by images per class. */
  probe?: ProbeResults;
  /** Further probe results to compare, by name (e.g. `"random init"`). */
  probeOthers?: Record<string, ProbeResults>;
  /** k-nearest-neighbour test accuracy, by name (e.g. `{ "pretrained": 0.41 }`). */
  knn?: Record<string, number>;
  /** The supervised baseline's train and test accuracy. */
  baseline?: ProbeAccuracy;
  /**
   * Pretraining `metrics.jsonl` records: the last epoch's figures and online monitors, and the
   * loss, top-5, kNN, embedding-std and learning-rate curves.
   */
  pretrainMetrics?: Record<string, unknown>[];
  /** Baseline `metrics.jsonl` records. */
  baselineMetrics?: Record<string, unknown>[];
  /** The probe's embedding map (`embedding.svg`): an SVG file's path or bytes. */
  embeddingMap?: string | Uint8Array;
  /** The probe's neighbour grid (`neighbours.png`): a PNG file's path or bytes. */
  neighbours?: string | Uint8Array;
  /** The augmentation grid: a PNG file's path or bytes. */
  augmentGrid?: string | Uint8Array;
}

const STYLE = `
body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1400px;
  padding: 0 1.5rem; color: #1b1f24; background: #fff; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .3rem; }
.sub { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; text-align: right; }
th { background: #f6f8fa; }
td.key, th.key { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
td.note { text-align: left; color: #57606a; }
.results { display: flex; flex-wrap: wrap; gap: 0 2.5rem; align-items: flex-start; }
.chart { overflow-x: auto; margin: .6rem 0; }
.chart svg { max-width: 100%; height: auto; }
.curves svg { width: 100%; height: auto; }
img.grid { max-width: 100%; image-rendering: pixelated; border: 1px solid #d0d7de; }
details { margin-top: 2.2rem; }
details > summary { font-size: 1.25rem; font-weight: bold; cursor: pointer; }
.swatch { display: inline-block; width: .9em; height: .9em; vertical-align: -.1em; border: 3px solid; }
.missing { color: #57606a; font-style: italic; }
`;

/**
 * Writes `report.html` into `outDir`: one self-contained page (inline CSS, charts as inline
 * SVG, pictures as data URIs, and a Content-Security-Policy that forbids any network request).
 * Results come first: the probe curve and table beside the tutorial's numbers, the kNN
 * accuracy, the baseline beside the tutorial's 73.31% and the pretraining's last epoch with its
 * online monitors; then the training curves, large; then the embedding map, the neighbour grid
 * and the augmentation grid; and last the configuration, folded. Epochs are shown from 1, as
 * the console counts them. Parts not given are left out.
 *
 * @param outDir The run's folder (created if missing).
 * @param contents What to show.
 * @returns The path of `report.html`.
 *
 * @example
 * ```ts
 * import { writeReport } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * const path = await writeReport(dir, { probe: { "10": { train: 1, test: 0.42 } } });
 * assert.match(await Deno.readTextFile(path), /42\.00%/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(outDir: string, contents: ReportContents): Promise<string> {
  const title = contents.title ?? "SimCLR on STL10: report";
  const sections: string[] = [];
  const results: string[] = []; // small tables side by side, under the probe
  let probeBlock = "";
  if (contents.probe) {
    const others = contents.probeOthers ?? {};
    const svg = await renderSvg(probeCurveSpec(contents.probe, { others }));
    const sizes = [...new Set([contents.probe, ...Object.values(others)].flatMap(Object.keys))]
      .sort((a, b) => Number(a) - Number(b));
    const head = [
      "images per class",
      "test",
      "train",
      ...Object.keys(others).map((n) => `${n} test`),
    ]
      .concat("tutorial test");
    const rows = sizes.map((size) => {
      const cells = [
        size,
        pct(contents.probe![size]?.test),
        pct(contents.probe![size]?.train),
        ...Object.values(others).map((r) => pct(r[size]?.test)),
        pct(TUTORIAL_PROBE_ACCURACY[Number(size)]),
      ];
      return `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`;
    });
    probeBlock =
      `<h3>Linear probe</h3><p class="sub">Logistic regression on frozen features; test accuracy against labelled images per class (the tutorial's numbers dashed).</p>
<div class="results"><div class="chart">${svg}</div>
<table><tr>${head.map((h) => `<th>${escape(h)}</th>`).join("")}</tr>${rows.join("")}</table></div>`;
  }
  if (contents.knn) {
    const rows = Object.entries(contents.knn).map(([name, acc]) =>
      `<tr><td class="key">${escape(name)}</td><td>${pct(acc)}</td></tr>`
    );
    results.push(
      `<div><h3>k-nearest neighbours</h3><p class="sub">Cosine similarity, the 200 nearest labelled training images (all of them when fewer) voting with weight exp(similarity / 0.07).</p><table><tr><th class="key">encoder</th><th>test</th></tr>${
        rows.join("")
      }</table></div>`,
    );
  }
  if (contents.baseline) {
    results.push(
      `<div><h3>Supervised baseline</h3><p class="sub">ResNet-18 trained from scratch on the labelled training split.</p><table><tr><th></th><th>train</th><th>test</th></tr>
<tr><td class="key">this run</td><td>${pct(contents.baseline.train)}</td><td>${
        pct(contents.baseline.test)
      }</td></tr>
<tr><td class="key">tutorial</td><td>–</td><td>${
        pct(TUTORIAL_BASELINE_ACCURACY)
      }</td></tr></table></div>`,
    );
  }
  if (contents.pretrainMetrics && contents.pretrainMetrics.length > 0) {
    const summary = pretrainingSummary(contents.pretrainMetrics, contents.config);
    if (summary) results.push(summary);
  }
  if (probeBlock !== "" || results.length > 0) {
    sections.push(
      `<h2>Results</h2>${probeBlock}<div class="results">${results.join("\n")}</div>`,
    );
  }
  for (
    const [name, records] of [
      ["Pretraining curves", contents.pretrainMetrics],
      ["Baseline training curves", contents.baselineMetrics],
    ] as const
  ) {
    if (!records || records.length === 0) continue;
    const svg = await renderSvg(trainingCurvesSpec(records));
    sections.push(`<h2>${name}</h2><div class="chart curves">${svg}</div>`);
  }
  if (contents.embeddingMap !== undefined) {
    const svg = typeof contents.embeddingMap === "string"
      ? await Deno.readTextFile(contents.embeddingMap)
      : new TextDecoder().decode(contents.embeddingMap);
    sections.push(
      `<h2>Embedding map</h2><p class="sub">The test split's features projected to two dimensions by UMAP (cosine neighbourhoods, seeded), coloured by class: classes the encoder tells apart form islands.</p><div class="chart">${
        svg.replace(/^<\?xml[^>]*>\s*/, "")
      }</div>`,
    );
  }
  if (contents.neighbours !== undefined) {
    const swatch = (rgb: readonly number[]) =>
      `<span class="swatch" style="border-color: rgb(${rgb.join(", ")})"></span>`;
    sections.push(
      `<h2>Nearest neighbours</h2><p class="sub">Each row: a test image (${
        swatch(NEIGHBOUR_MARKS.query)
      } frame), then the training images nearest to it by cosine similarity of the features, nearest first: ${
        swatch(NEIGHBOUR_MARKS.correct)
      } of the same class, ${swatch(NEIGHBOUR_MARKS.wrong)} of another.</p>${await pngImage(
        contents.neighbours,
        "nearest neighbours of test images",
      )}`,
    );
  }
  if (contents.augmentGrid !== undefined) {
    sections.push(
      `<h2>Augmentations</h2><p class="sub">Training views produced by the SimCLR augmentation pipeline.</p>${await pngImage(
        contents.augmentGrid,
        "augmentation grid",
      )}`,
    );
  }
  if (contents.config) {
    const entries = Object.entries(contents.config);
    const rows = entries.map(([k, v]) =>
      `<tr><td class="key">${escape(k)}</td><td class="key">${
        escape(typeof v === "string" ? v : JSON.stringify(v))
      }</td></tr>`
    );
    sections.push(
      `<details><summary>Configuration (${entries.length} settings)</summary><table><tr><th class="key">setting</th><th class="key">value</th></tr>${
        rows.join("")
      }</table></details>`,
    );
  }
  if (sections.length === 0) sections.push(`<p class="missing">Nothing to report yet.</p>`);
  const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escape(title)}</h1>
<p class="sub">Generated ${
    escape(new Date().toISOString())
  }. Targets: the UvA Deep Learning tutorial 13 (SimCLR) on STL10.</p>
${sections.join("\n")}
</body>
</html>
`;
  await Deno.mkdir(outDir, { recursive: true });
  const path = `${outDir}/report.html`;
  await writeFileAtomic(path, html);
  return path;
}

/**
 * The pretraining's last epoch as a table: its loss and validation figures, and the online
 * monitors of the last validation, with what a healthy embedding std is (1/sqrt(d)).
 */
function pretrainingSummary(
  records: Record<string, unknown>[],
  config: Record<string, unknown> | undefined,
): string | null {
  const epochs = records.filter((r) =>
    (r.kind === undefined || r.kind === "epoch") && typeof r.epoch === "number"
  );
  const last = epochs.at(-1);
  if (!last) return null;
  const monitored = epochs.findLast((r) =>
    typeof r.knn_top1 === "number" || typeof r.embedding_std === "number"
  );
  const total = typeof config?.epochs === "number" ? `/${config.epochs}` : "";
  const shown = (r: Record<string, unknown>) => `epoch ${(r.epoch as number) + 1}${total}`;
  const rows: string[] = [];
  const row = (name: string, value: string, note: string) =>
    rows.push(
      `<tr><td class="key">${escape(name)}</td><td>${escape(value)}</td><td class="note">${
        escape(note)
      }</td></tr>`,
    );
  for (const key of ["train_loss", "val_loss", "val_acc_top1", "val_acc_top5"]) {
    const v = last[key];
    if (typeof v === "number") row(key, key.includes("acc") ? pct(v) : v.toFixed(4), shown(last));
  }
  if (monitored) {
    if (typeof monitored.knn_top1 === "number") {
      row(
        "knn_top1",
        pct(monitored.knn_top1),
        `${shown(monitored)}; kNN of the test split, as the probe's`,
      );
    }
    if (typeof monitored.embedding_std === "number") {
      const d = typeof config?.hiddenDim === "number" ? config.hiddenDim : null;
      row(
        "embedding_std",
        monitored.embedding_std.toFixed(4),
        `${shown(monitored)}; 0 is collapse` +
          (d ? `, healthy about 1/sqrt(${d}) = ${(1 / Math.sqrt(d)).toFixed(4)}` : ""),
      );
    }
  }
  if (rows.length === 0) return null;
  return `<div><h3>Pretraining</h3><p class="sub">The last epoch, and the online monitors of the last validation.</p><table><tr><th class="key">metric</th><th>value</th><th class="key">when</th></tr>${
    rows.join("")
  }</table></div>`;
}

async function pngImage(source: string | Uint8Array, alt: string): Promise<string> {
  const bytes = typeof source === "string" ? await Deno.readFile(source) : source;
  return `<img class="grid" alt="${escape(alt)}" src="data:image/png;base64,${base64(bytes)}">`;
}

function pct(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "–" : `${(100 * value).toFixed(2)}%`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// Copyright the simclr authors. MIT license.
import { writeFileAtomic } from "@simclr/internal/write-atomic";
import type { ProbeAccuracy, ProbeResults } from "./linear_probe.ts";
import { probeCurveSpec } from "./probe_curve_spec.ts";
import { renderSvg } from "./render_chart.ts";
import { trainingCurvesSpec } from "./training_curves_spec.ts";
import { TUTORIAL_BASELINE_ACCURACY, TUTORIAL_PROBE_ACCURACY } from "./tutorial_results.ts";

/** What {@linkcode writeReport} puts on the page; every part is optional. */
export interface ReportContents {
  /** Page title. Default `"SimCLR on <dataset>: report"`. */
  title?: string;
  /**
   * The data set's name (default `"STL10"`): the tutorial's numbers, which are STL10's, are
   * shown beside the probe and the baseline only on STL10.
   */
  dataset?: string;
  /** The run's configuration (`config.json`), shown as a table. */
  config?: Record<string, unknown>;
  /** Linear-probe results of the pretrained encoder, by images per class. */
  probe?: ProbeResults;
  /** Further probe results to compare, by name (e.g. `"random init"`). */
  probeOthers?: Record<string, ProbeResults>;
  /** k-nearest-neighbour test accuracy, by name (e.g. `{ "pretrained": 0.41 }`). */
  knn?: Record<string, number>;
  /** The supervised baseline's train and test accuracy. */
  baseline?: ProbeAccuracy;
  /** Pretraining `metrics.jsonl` records (drawn as loss, top-5 and learning-rate curves). */
  pretrainMetrics?: Record<string, unknown>[];
  /** Baseline `metrics.jsonl` records. */
  baselineMetrics?: Record<string, unknown>[];
  /** The augmentation grid: a PNG file's path or bytes. */
  augmentGrid?: string | Uint8Array;
}

const STYLE = `
body { font-family: system-ui, "DejaVu Sans", sans-serif; margin: 2rem auto; max-width: 1400px;
  padding: 0 1.5rem; color: #1b1f24; background: #fff; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .3rem; }
.sub { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: .6rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #d0d7de; padding: .3rem .7rem; text-align: right; }
th { background: #f6f8fa; }
td.key, th.key { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.chart { overflow-x: auto; margin: .6rem 0; }
.chart svg { max-width: 100%; height: auto; }
img.grid { max-width: 100%; image-rendering: pixelated; border: 1px solid #d0d7de; }
.missing { color: #57606a; font-style: italic; }
`;

/**
 * Writes `report.html` into `outDir`: one self-contained page (inline CSS, charts as inline
 * SVG, the augmentation grid as a data URI, and a Content-Security-Policy that forbids any
 * network request) with the configuration, the probe curve and table (on STL10 beside the
 * tutorial's numbers), the kNN accuracy, the baseline (on STL10 beside the tutorial's 73.31%),
 * the training curves and the augmentation grid. Parts not given are left out.
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
  const dataset = contents.dataset ?? "STL10";
  const onSTL10 = dataset === "STL10";
  const title = contents.title ?? `SimCLR on ${dataset}: report`;
  const sections: string[] = [];
  if (contents.config) {
    const rows = Object.entries(contents.config).map(([k, v]) =>
      `<tr><td class="key">${escape(k)}</td><td class="key">${
        escape(typeof v === "string" ? v : JSON.stringify(v))
      }</td></tr>`
    );
    sections.push(
      `<h2>Configuration</h2><table><tr><th class="key">setting</th><th class="key">value</th></tr>${
        rows.join("")
      }</table>`,
    );
  }
  if (contents.probe) {
    const others = contents.probeOthers ?? {};
    const svg = await renderSvg(probeCurveSpec(contents.probe, { others, dataset }));
    const sizes = [...new Set([contents.probe, ...Object.values(others)].flatMap(Object.keys))]
      .sort((a, b) => Number(a) - Number(b));
    const head = [
      "images per class",
      "test",
      "train",
      ...Object.keys(others).map((n) => `${n} test`),
    ]
      .concat(onSTL10 ? ["tutorial test"] : []);
    const rows = sizes.map((size) => {
      const cells = [
        size,
        pct(contents.probe![size]?.test),
        pct(contents.probe![size]?.train),
        ...Object.values(others).map((r) => pct(r[size]?.test)),
        ...(onSTL10 ? [pct(TUTORIAL_PROBE_ACCURACY[Number(size)])] : []),
      ];
      return `<tr>${cells.map((c) => `<td>${escape(c)}</td>`).join("")}</tr>`;
    });
    sections.push(
      `<h2>Linear probe</h2><p class="sub">Logistic regression on frozen features; test accuracy against labelled images per class${
        onSTL10 ? " (the tutorial's numbers dashed)" : ` on ${escape(dataset)}`
      }.</p>
<div class="chart">${svg}</div>
<table><tr>${head.map((h) => `<th>${escape(h)}</th>`).join("")}</tr>${rows.join("")}</table>`,
    );
  }
  if (contents.knn) {
    const rows = Object.entries(contents.knn).map(([name, acc]) =>
      `<tr><td class="key">${escape(name)}</td><td>${pct(acc)}</td></tr>`
    );
    sections.push(
      `<h2>k-nearest neighbours</h2><p class="sub">Cosine similarity, the 200 nearest labelled training images (all of them when fewer) voting with weight exp(similarity / 0.07).</p><table><tr><th class="key">encoder</th><th>test</th></tr>${
        rows.join("")
      }</table>`,
    );
  }
  if (contents.baseline) {
    sections.push(
      `<h2>Supervised baseline</h2><p class="sub">ResNet-18 trained from scratch on the labelled training split.</p><table><tr><th></th><th>train</th><th>test</th></tr>
<tr><td class="key">this run</td><td>${pct(contents.baseline.train)}</td><td>${
        pct(contents.baseline.test)
      }</td></tr>${
        onSTL10
          ? `
<tr><td class="key">tutorial</td><td>–</td><td>${pct(TUTORIAL_BASELINE_ACCURACY)}</td></tr>`
          : ""
      }</table>`,
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
    sections.push(`<h2>${name}</h2><div class="chart">${svg}</div>`);
  }
  if (contents.augmentGrid !== undefined) {
    const bytes = typeof contents.augmentGrid === "string"
      ? await Deno.readFile(contents.augmentGrid)
      : contents.augmentGrid;
    sections.push(
      `<h2>Augmentations</h2><p class="sub">Training views produced by the SimCLR augmentation pipeline.</p><img class="grid" alt="augmentation grid" src="data:image/png;base64,${
        base64(bytes)
      }">`,
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
<p class="sub">Generated ${escape(new Date().toISOString())}. ${
    onSTL10
      ? "Targets: the UvA Deep Learning tutorial 13 (SimCLR) on STL10."
      : `Data: ${
        escape(dataset)
      } (the UvA Deep Learning tutorial 13's numbers are STL10's, so they are not shown).`
  }</p>
${sections.join("\n")}
</body>
</html>
`;
  await Deno.mkdir(outDir, { recursive: true });
  const path = `${outDir}/report.html`;
  await writeFileAtomic(path, html);
  return path;
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

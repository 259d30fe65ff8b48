// Copyright the simclr authors. MIT license.
import type { TopLevelSpec } from "vega-lite";
import type { ChartSpec } from "./chart_spec.ts";
import type { ProbeResults } from "./linear_probe.ts";
import { TUTORIAL_PROBE_ACCURACY } from "./tutorial_results.ts";

const TUTORIAL = "tutorial (STL10)";

/** Options for {@linkcode probeCurveSpec}. */
export interface ProbeCurveOptions {
  /** Further curves to draw, by name (e.g. `{ "random init": results }`). */
  others?: Record<string, ProbeResults>;
  /** Name of the main curve. Default `"this run"`. */
  label?: string;
  /**
   * The data set probed, named in the title. Default `"STL10"`. The tutorial's numbers are
   * STL10's, so other data sets are drawn without them (unless `tutorial` says otherwise).
   */
  dataset?: string;
  /** Draw the tutorial's numbers beside ours. Default: when `dataset` is `"STL10"`. */
  tutorial?: boolean;
  /** Chart title. Default `"<dataset> classification over dataset size"` (the tutorial's). */
  title?: string;
}

/**
 * A Vega-Lite chart of the probe: test accuracy against images per class on a log x axis, as
 * the tutorial's plot, titled with the data set's name, and on STL10 with the tutorial's
 * numbers beside ours (dashed).
 *
 * @param results Probe results by images per class (as `probe.json`'s `results`).
 * @param options Other curves, labels and title.
 * @returns The Vega-Lite specification (render it with {@linkcode renderSvg}).
 *
 * @example
 * ```ts
 * import { probeCurveSpec } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const spec = probeCurveSpec({ "10": { train: 1, test: 0.5 }, "20": { train: 1, test: 0.6 } });
 * const values = (spec.data as { values: { series: string }[] }).values;
 * assert.equal(values.length, 2 + 6); // ours and the tutorial's six sizes
 * // Another data set: named in the title, without the tutorial's STL10 curve.
 * const digits = probeCurveSpec({ "10": { train: 1, test: 0.6 } }, { dataset: "digits" });
 * assert.equal(digits.title, "digits classification over dataset size");
 * assert.equal((digits.data as { values: unknown[] }).values.length, 1);
 * ```
 */
export function probeCurveSpec(
  results: ProbeResults,
  options: ProbeCurveOptions = {},
): ChartSpec {
  const label = options.label ?? "this run";
  const dataset = options.dataset ?? "STL10";
  const rows: { size: number; accuracy: number; series: string }[] = [];
  const add = (series: string, r: ProbeResults) => {
    for (const [size, { test }] of Object.entries(r)) {
      rows.push({ size: Number(size), accuracy: test, series });
    }
  };
  add(label, results);
  for (const [name, r] of Object.entries(options.others ?? {})) add(name, r);
  if (options.tutorial ?? dataset === "STL10") {
    for (const [size, accuracy] of Object.entries(TUTORIAL_PROBE_ACCURACY)) {
      rows.push({ size: Number(size), accuracy, series: TUTORIAL });
    }
  }
  const sizes = [...new Set(rows.map((r) => r.size))].sort((a, b) => a - b);
  const series = [...new Set(rows.map((r) => r.series))];
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? `${dataset} classification over dataset size`,
    width: 520,
    height: 320,
    background: "white",
    data: { values: rows },
    mark: { type: "line", point: { filled: true, size: 70 } },
    encoding: {
      x: {
        field: "size",
        type: "quantitative",
        title: "Number of images per class",
        scale: { type: "log", nice: false, domain: [sizes[0] * 0.8, sizes.at(-1)! * 1.25] },
        axis: { values: sizes, format: "d", grid: false },
      },
      y: {
        field: "accuracy",
        type: "quantitative",
        title: "Test accuracy",
        axis: { format: ".0%" },
        scale: { zero: false },
      },
      color: {
        field: "series",
        type: "nominal",
        title: null,
        scale: { domain: series },
        legend: { orient: "bottom-right" },
      },
      // Ours solid, the tutorial's dashed.
      strokeDash: {
        field: "series",
        type: "nominal",
        scale: { domain: series, range: series.map((s) => s === TUTORIAL ? [6, 3] : [1, 0]) },
        title: null,
      },
      tooltip: [
        { field: "series", type: "nominal" },
        { field: "size", type: "quantitative" },
        { field: "accuracy", type: "quantitative", format: ".2%" },
      ],
    },
  };
  return spec as unknown as ChartSpec;
}

// Copyright the simclr authors. MIT license.
import type { TopLevelSpec } from "vega-lite";
import type { ChartSpec } from "./chart_spec.ts";

/** One panel of {@linkcode trainingCurvesSpec}: the metrics whose names match `pattern`. */
export interface CurvePanel {
  /** Panel title. */
  title: string;
  /** Which numeric record fields to draw. */
  pattern: RegExp;
  /** Log y axis (e.g. for the learning rate). Default false. */
  logScale?: boolean;
  /** d3 format of the y axis' labels, e.g. `".0%"` for accuracies. Default: Vega's. */
  format?: string;
}

/**
 * The default panels: loss, top-5 accuracy (contrastive), accuracy (supervised), the online
 * monitors `knn_top1` and `embedding_std`, and the learning rate (log scale).
 */
export const DEFAULT_CURVE_PANELS: readonly CurvePanel[] = [
  { title: "Loss", pattern: /loss/i },
  { title: "Top-5 accuracy", pattern: /top5/i, format: ".1~%" },
  { title: "Accuracy", pattern: /(^|_)acc$/i, format: ".1~%" },
  { title: "kNN top-1 accuracy (test)", pattern: /^knn_top1$/, format: ".1~%" },
  { title: "Embedding std (0: collapse)", pattern: /^embedding_std$/ },
  { title: "Learning rate", pattern: /(^|_)lr$/i, logScale: true, format: "~e" },
];

/** Options of {@linkcode trainingCurvesSpec}. */
export interface TrainingCurvesOptions {
  /** Panels per row. Default 3. */
  columns?: number;
  /** Width of one panel in pixels. Default 380. */
  width?: number;
  /** Height of one panel in pixels. Default 240. */
  height?: number;
}

/**
 * Vega-Lite charts of training curves per epoch from `metrics.jsonl` records: one panel per
 * group of metrics (by default {@linkcode DEFAULT_CURVE_PANELS}), one line per metric (e.g.
 * `train_loss` and `val_loss`). Records need a numeric `epoch`; several records of one epoch
 * (per-step logs) are averaged per metric. Records count epochs from 0, people from 1: the
 * axis shows `epoch + 1`, in whole epochs, as the progress bar does (`epoch 1/5`).
 *
 * @param records The parsed lines of `metrics.jsonl`.
 * @param panels Which metrics go in which panel. Default {@linkcode DEFAULT_CURVE_PANELS}.
 * @param options Panels per row and panel size.
 * @returns The Vega-Lite specification (panels in rows of `columns`; empty panels left out).
 *
 * @example
 * ```ts
 * import { trainingCurvesSpec } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const spec = trainingCurvesSpec([
 *   { epoch: 0, train_loss: 2.1, val_acc_top5: 0.4, lr: 1e-3 },
 *   { epoch: 1, train_loss: 1.7, val_acc_top5: 0.5, lr: 1e-3 },
 * ]);
 * const panels = (spec as { concat: { data: { values: { epoch: number }[] } }[] }).concat;
 * assert.equal(panels.length, 3); // loss, top-5 accuracy, learning rate
 * assert.deepEqual(panels[0].data.values.map((p) => p.epoch), [1, 2]); // as people count
 * ```
 */
export function trainingCurvesSpec(
  records: Record<string, unknown>[],
  panels: readonly CurvePanel[] = DEFAULT_CURVE_PANELS,
  options: TrainingCurvesOptions = {},
): ChartSpec {
  const { columns = 3, width = 380, height = 240 } = options;
  // Mean of every numeric field per epoch.
  const sums = new Map<string, { sum: number; count: number; epoch: number; metric: string }>();
  for (const record of records) {
    const epoch = record.epoch;
    if (typeof epoch !== "number" || !Number.isFinite(epoch)) continue;
    for (const [metric, value] of Object.entries(record)) {
      if (metric === "epoch" || metric === "step" || typeof value !== "number") continue;
      if (!Number.isFinite(value)) continue;
      const key = `${metric}\u0000${epoch}`;
      const entry = sums.get(key) ?? { sum: 0, count: 0, epoch, metric };
      entry.sum += value;
      entry.count += 1;
      sums.set(key, entry);
    }
  }
  const points = [...sums.values()].map((e) => ({
    epoch: e.epoch + 1, // shown from 1
    metric: e.metric,
    value: e.sum / e.count,
  }));
  const charts = panels.flatMap((panel) => {
    const values = points.filter((p) => panel.pattern.test(p.metric));
    if (values.length === 0) return [];
    return [{
      title: panel.title,
      width,
      height,
      data: { values },
      mark: { type: "line" as const, point: values.length <= 60 * 4 },
      encoding: {
        x: {
          field: "epoch",
          type: "quantitative" as const,
          title: "epoch",
          axis: { format: "d", tickMinStep: 1 },
          scale: { zero: false },
        },
        y: {
          field: "value",
          type: "quantitative" as const,
          title: null, // the panel's title says it
          scale: panel.logScale ? { type: "log" as const } : { zero: false },
          ...(panel.format ? { axis: { format: panel.format } } : {}),
        },
        color: {
          field: "metric",
          type: "nominal" as const,
          title: null,
          legend: { orient: "top" as const },
        },
      },
    }];
  });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: { left: 5, top: 5, right: 30, bottom: 5 },
    columns,
    concat: charts,
    resolve: { scale: { color: "independent", y: "independent" } },
  } as TopLevelSpec;
  return spec as unknown as ChartSpec;
}

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
}

/** The default panels: loss, top-5 accuracy and learning rate. */
export const DEFAULT_CURVE_PANELS: readonly CurvePanel[] = [
  { title: "Loss", pattern: /loss/i },
  { title: "Top-5 accuracy", pattern: /top5/i },
  { title: "Learning rate", pattern: /(^|_)lr$/i },
];

/**
 * Vega-Lite charts of training curves per epoch from `metrics.jsonl` records: one panel per
 * group of metrics (by default loss, top-5 accuracy and learning rate), one line per metric
 * (e.g. `train_loss` and `val_loss`). Records need a numeric `epoch`; several records of one
 * epoch (per-step logs) are averaged per metric.
 *
 * @param records The parsed lines of `metrics.jsonl`.
 * @param panels Which metrics go in which panel. Default {@linkcode DEFAULT_CURVE_PANELS}.
 * @returns The Vega-Lite specification (panels side by side; empty panels left out).
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
 * assert.equal((spec as { hconcat: unknown[] }).hconcat.length, 3);
 * ```
 */
export function trainingCurvesSpec(
  records: Record<string, unknown>[],
  panels: readonly CurvePanel[] = DEFAULT_CURVE_PANELS,
): ChartSpec {
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
    epoch: e.epoch,
    metric: e.metric,
    value: e.sum / e.count,
  }));
  const charts = panels.flatMap((panel) => {
    const values = points.filter((p) => panel.pattern.test(p.metric));
    if (values.length === 0) return [];
    return [{
      title: panel.title,
      width: 260,
      height: 200,
      data: { values },
      mark: { type: "line" as const, point: values.length <= 60 * 4 },
      encoding: {
        x: { field: "epoch", type: "quantitative" as const, title: "epoch" },
        y: {
          field: "value",
          type: "quantitative" as const,
          title: panel.title,
          scale: panel.logScale ? { type: "log" as const } : { zero: false },
        },
        color: { field: "metric", type: "nominal" as const, title: null },
      },
    }];
  });
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    background: "white",
    padding: { left: 5, top: 5, right: 30, bottom: 5 },
    hconcat: charts,
    resolve: { scale: { color: "independent", y: "independent" } },
  } as TopLevelSpec;
  return spec as unknown as ChartSpec;
}

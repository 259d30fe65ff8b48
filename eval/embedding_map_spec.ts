// Copyright the simclr authors. MIT license.
import type { TopLevelSpec } from "vega-lite";
import { argumentMessage } from "@simclr/internal/checks";
import type { ChartSpec } from "./chart_spec.ts";

/** Options of {@linkcode embeddingMapSpec}. */
export interface EmbeddingMapOptions {
  /** Chart title. Default `"UMAP of the test split's features"`. */
  title?: string;
  /** Side of the square plot in pixels. Default 480. */
  size?: number;
}

/**
 * A Vega-Lite scatter plot of a 2-D map of features (e.g. from {@linkcode umap2d}): one point
 * per image, coloured by class, with a legend of the class names in class order. The map's
 * axes carry no meaning and are left out.
 *
 * @param points The `[x, y]` of each image.
 * @param labels The class of each image (0-based).
 * @param classNames The name of each class.
 * @param options Title and size.
 * @returns The Vega-Lite specification (draw it with {@linkcode writeChart}).
 *
 * @example
 * ```ts
 * import { embeddingMapSpec } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * const spec = embeddingMapSpec([[0, 1], [2, 3]], [1, 0], ["cat", "dog"]);
 * const values = (spec.data as { values: { class: string }[] }).values;
 * assert.deepEqual(values.map((v) => v.class), ["dog", "cat"]);
 * ```
 */
export function embeddingMapSpec(
  points: readonly (readonly [number, number])[],
  labels: ArrayLike<number>,
  classNames: readonly string[],
  options: EmbeddingMapOptions = {},
): ChartSpec {
  if (points.length !== labels.length) {
    throw new RangeError(
      argumentMessage(
        "embeddingMapSpec()",
        `points has length ${points.length} but labels has length ${labels.length}`,
        "equal lengths",
      ),
    );
  }
  const name = (label: number) => classNames[label] ?? `class ${label}`;
  const values = points.map(([x, y], i) => ({ x, y, class: name(labels[i]) }));
  const present = [...new Set(Array.from(labels))].sort((a, b) => a - b).map(name);
  const size = options.size ?? 480;
  const spec: TopLevelSpec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: options.title ?? "UMAP of the test split's features",
    width: size,
    height: size,
    background: "white",
    data: { values },
    mark: { type: "circle", size: values.length > 2000 ? 12 : 28, opacity: 0.75 },
    encoding: {
      x: { field: "x", type: "quantitative", axis: null, scale: { zero: false, nice: false } },
      y: { field: "y", type: "quantitative", axis: null, scale: { zero: false, nice: false } },
      color: {
        field: "class",
        type: "nominal",
        title: "class",
        scale: { domain: present, scheme: present.length <= 10 ? "tableau10" : "tableau20" },
      },
    },
    config: { view: { stroke: "#d0d7de" } },
  };
  return spec as unknown as ChartSpec;
}

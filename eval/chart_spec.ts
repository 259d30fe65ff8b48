// Copyright the simclr authors. MIT license.

/**
 * A Vega-Lite specification as plain JSON (what {@linkcode probeCurveSpec} and
 * {@linkcode trainingCurvesSpec} build and {@linkcode renderSvg} draws); see
 * https://vega.github.io/vega-lite/docs/spec.html. Kept as a plain object type so the package's
 * public types do not depend on Vega-Lite's.
 */
export type ChartSpec = Record<string, unknown>;

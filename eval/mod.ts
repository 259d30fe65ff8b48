/**
 * Evaluation for SimCLR on TensorFlow.js, as the UvA tutorial does it: frozen-encoder feature
 * extraction with a disk cache ({@linkcode extractFeatures}), the logistic-regression probe
 * ({@linkcode trainLogisticRegression}, over training-set sizes with {@linkcode linearProbe}),
 * a training-free weighted kNN classifier ({@linkcode knnClassify}), accuracy, per-class
 * accuracy and confusion matrices, the online monitors that watch pretraining
 * ({@linkcode onlineMonitors}: kNN accuracy and {@linkcode embeddingStd}), pictures of the
 * features (a UMAP map, {@linkcode writeEmbeddingMap}, and a nearest-neighbour grid,
 * {@linkcode writeNeighbourGrid}), charts (Vega-Lite to SVG and PNG), image grids and a
 * self-contained HTML report ({@linkcode writeReport}) beside the tutorial's numbers.
 *
 * Each function has its own subpath (`@simclr/eval/knn-classify`, ...): importing the
 * measures alone (the online monitors included) loads no plotting code (Vega, Vega-Lite, resvg
 * and UMAP come in only with the charts, the maps and the report).
 *
 * @example Probe toy features and compare with kNN
 * ```ts
 * import "@tensorflow/tfjs-backend-cpu";
 * import * as tf from "@tensorflow/tfjs-core";
 * import { accuracy, knnClassify, trainLogisticRegression } from "@simclr/eval";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const x = tf.tensor2d([[1, 0], [0.8, 0.3], [0, 1], [0.3, 0.9]]);
 * const y = [0, 0, 1, 1];
 * const probe = await trainLogisticRegression(x, y, x, y, { epochs: 30, lr: 0.1, evalEvery: 10 });
 * assert.equal(probe.testAccuracy, 1);
 * assert.equal(accuracy(await knnClassify(x, y, x, { k: 1 }), y), 1);
 * x.dispose();
 * ```
 *
 * @module
 */
export * from "./accuracy.ts";
export * from "./per_class_accuracy.ts";
export * from "./confusion_matrix.ts";
export * from "./knn_classify.ts";
export * from "./encode_images.ts";
export * from "./extract_features.ts";
export * from "./train_logistic_regression.ts";
export * from "./probe_sizes.ts";
export * from "./linear_probe.ts";
export * from "./tutorial_results.ts";
export * from "./chart_spec.ts";
export * from "./probe_curve_spec.ts";
export * from "./training_curves_spec.ts";
export * from "./render_chart.ts";
export * from "./write_report.ts";
export * from "./write_image_grid.ts";
export * from "./embedding_std.ts";
export * from "./online_monitors.ts";
export * from "./nearest_neighbours.ts";
export * from "./similar_pairs.ts";
export * from "./write_neighbour_grid.ts";
export * from "./umap_2d.ts";
export * from "./embedding_map_spec.ts";
export * from "./write_embedding_map.ts";

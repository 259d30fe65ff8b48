/**
 * STL10 for SimCLR in Deno: a random-access reader of the binary files
 * ({@linkcode openSTL10}), seeded resumable batching with prefetch ({@linkcode batches}),
 * the tutorial's per-class subsets ({@linkcode perClassIndices}, {@linkcode subset}), a
 * resumable streaming downloader ({@linkcode downloadSTL10}), and a small generated data set
 * in the same format whose classes differ in shape ({@linkcode generateDemoData}).
 *
 * Pixels are HWC row-major bytes (96 * 96 * 3 per image), labels 0-based.
 *
 * @example
 * ```ts
 * import { batches, generateDemoData, openSTL10 } from "@simclr/datasets";
 * import { strictEqual } from "node:assert/strict";
 *
 * const dir = await Deno.makeTempDir();
 * await generateDemoData(dir, { trainPerClass: 2, testPerClass: 1, unlabeled: 0 });
 * const train = await openSTL10(dir, "train");
 * for await (const { pixels, labels } of batches(train, { batchSize: 8, seed: 0 })) {
 *   strictEqual(pixels.length, labels!.length * 96 * 96 * 3);
 * }
 * await Deno.remove(dir, { recursive: true });
 * ```
 *
 * @module
 */
export * from "./image_source.ts";
export * from "./stl10_layout.ts";
export * from "./open_stl10.ts";
export * from "./open_image_folder.ts";
export * from "./read_image.ts";
export * from "./open_data_set.ts";
export * from "./batches.ts";
export * from "./per_class_indices.ts";
export * from "./subset.ts";
export * from "./stl10_format_error.ts";
export * from "./image_decode_error.ts";
export * from "./image_folder_error.ts";
export * from "./download_error.ts";
export * from "./write_stl10.ts";
export * from "./generate_demo_data.ts";
export * from "./download_stl10.ts";

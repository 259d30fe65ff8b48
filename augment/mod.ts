/**
 * Batched, seeded SimCLR image augmentations on tensors, matching torchvision.
 *
 * The tutorial's `contrast_transforms` (flip, random resized crop, colour jitter, grayscale,
 * Gaussian blur, normalize) and the supervised baseline's transform run on a whole batch at
 * once as tensor ops on the active tfjs backend, each image with its own random parameters,
 * instead of image by image in data-loader workers. The functional ops match
 * `torchvision.transforms.functional` on float tensors (to 1e-4; hue 1e-3), and the random
 * parameters are sampled as torchvision's transforms sample them, from a seeded pure-rand
 * generator: the same seed and backend give the same bytes.
 *
 * Images are NHWC float32 in [0, 1]; per-image parameters are `number[]` or `tf.Tensor1D`.
 * Only `@tensorflow/tfjs-core` is imported: bring any backend.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { simclrViews } from "@simclr/augment";
 * import assert from "node:assert/strict";
 *
 * await tf.setBackend("cpu");
 * const images = tf.randomUniform([8, 48, 48, 3]) as tf.Tensor4D;
 * const views = simclrViews(images, { seed: 0, size: 32 }); // [16, 32, 32, 3], view-major
 * assert.deepEqual(views.shape, [16, 32, 32, 3]);
 * tf.dispose([images, views]);
 * ```
 *
 * @module
 */
export * from "./adjust_brightness.ts";
export * from "./adjust_contrast.ts";
export * from "./adjust_hue.ts";
export * from "./adjust_saturation.ts";
export * from "./apply_view_params.ts";
export * from "./baseline_view.ts";
export * from "./gaussian_blur.ts";
export * from "./horizontal_flip.ts";
export * from "./normalize.ts";
export * from "./resized_crop.ts";
export * from "./rgb_to_grayscale.ts";
export * from "./rng.ts";
export * from "./sample_color_jitter.ts";
export * from "./sample_resized_crop_box.ts";
export * from "./sample_view_params.ts";
export * from "./simclr_views.ts";
export * from "./to_float_images.ts";

// Copyright 2026 the simclr authors. MIT license.
/**
 * Helpers shared by the `@simclr` packages, one definition each. **Not public API**: names and
 * behaviour change without notice, as `@std/internal`'s do; import the packages that use them
 * instead. Each helper has its own subpath (`@simclr/internal/random`, ...), so a package pulls
 * in only what it uses: `@simclr/losses` takes `checks` alone.
 *
 * - `checks`: argument checks and the one error-message format
 *   (`fn(): argument is value: expected what`).
 * - `random`: the one seeded generator ({@linkcode createRng}), {@linkcode mixSeed} and the
 *   default seed.
 * - `write-atomic`: writes through a temporary name and a rename (flushed to the device on
 *   request).
 * - `write-error`: a write the storage refused (full, read-only...), naming the file.
 * - `file-record`: a file's size and SHA-256 as a checkpoint's JSON records them, and the check.
 * - `lock-file`: a lock file naming its holder's pid, taken over when that process is gone.
 * - `null-if-missing`: a missing file as `null`.
 * - `normalization`: the tutorial's `Normalize((0.5,), (0.5,))` constants.
 * - `peak-rss`: the peak resident memory of the process.
 * - `sha256`: content digests for cache keys.
 * - `crop-resize`: batched crop, flip and bilinear resize (antialiased or not), shared by the
 *   augmentations and feature extraction.
 *
 * @example
 * ```ts
 * import { createRng, DEFAULT_SEED } from "@simclr/internal";
 * import assert from "node:assert/strict";
 *
 * assert.equal(createRng(DEFAULT_SEED).u32(), createRng(42).u32());
 * ```
 *
 * @module
 */
export * from "./checks.ts";
export * from "./crop_resize.ts";
export * from "./file_record.ts";
export * from "./lock_file.ts";
export * from "./normalization.ts";
export * from "./null_if_missing.ts";
export * from "./peak_rss.ts";
export * from "./random.ts";
export * from "./round_half_even.ts";
export * from "./sha256.ts";
export * from "./write_atomic.ts";
export * from "./write_error.ts";

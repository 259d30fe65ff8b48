// Copyright 2026 the simclr authors. MIT license.
// PIL's bilinear resize (antialiased when shrinking), to the bit, and the crop after it: the
// wasm32 module built from _resample.c (see there and tools/build_resample_wasm.sh). One
// instance per JS realm (each worker has its own), its memory grown as images need. No Deno.*:
// the page can use it too.
import { argumentMessage, checkInteger } from "@simclr/internal/checks";
import type { RawRGB } from "./_bmp.ts";
import { RESAMPLE_WASM } from "./_resample_wasm.ts";

interface ResampleExports {
  memory: WebAssembly.Memory;
  input(bytes: number): number;
  resize(
    inW: number,
    inH: number,
    outW: number,
    outH: number,
    left: number,
    top: number,
    cropW: number,
    cropH: number,
  ): number;
}

let instance: ResampleExports | undefined;

function resampler(): ResampleExports {
  if (instance === undefined) {
    const bytes = Uint8Array.from(atob(RESAMPLE_WASM), (c) => c.charCodeAt(0));
    const module = new WebAssembly.Module(bytes);
    instance = new WebAssembly.Instance(module, {}).exports as unknown as ResampleExports;
  }
  return instance;
}

/** Where to crop the image resized to `width x height`: its `cropWidth x cropHeight` at (left, top). */
export interface Crop {
  width: number;
  height: number;
  left: number;
  top: number;
  cropWidth: number;
  cropHeight: number;
}

/**
 * `raw` resized to `crop.width x crop.height` as PIL's `Image.resize(size, Image.BILINEAR)`
 * (the same bytes), then its `cropWidth x cropHeight` window at (`left`, `top`), packed RGB.
 */
export function resampleCrop(raw: RawRGB, crop: Crop): Uint8Array {
  const fn = "resampleCrop()";
  const { width, height, left, top, cropWidth, cropHeight } = crop;
  checkInteger(fn, "raw.width", raw.width, { min: 1 });
  checkInteger(fn, "raw.height", raw.height, { min: 1 });
  for (const [name, value] of Object.entries(crop)) {
    checkInteger(fn, `crop.${name}`, value, { min: name === "left" || name === "top" ? 0 : 1 });
  }
  if (left + cropWidth > width || top + cropHeight > height) {
    throw new RangeError(
      argumentMessage(
        fn,
        `crop is ${cropWidth}x${cropHeight} at ${left},${top}`,
        `inside ${width}x${height}`,
      ),
    );
  }
  if (raw.data.length !== raw.width * raw.height * 3) {
    throw new RangeError(
      argumentMessage(fn, `raw.data has ${raw.data.length} bytes`, `${raw.width}x${raw.height}x3`),
    );
  }
  const wasm = resampler();
  const at = wasm.input(raw.data.length);
  if (at === 0) throw new RangeError(`resampleCrop(): ${raw.width}x${raw.height}: out of memory`);
  new Uint8Array(wasm.memory.buffer, at, raw.data.length).set(raw.data);
  const out = wasm.resize(raw.width, raw.height, width, height, left, top, cropWidth, cropHeight);
  if (out === 0) throw new RangeError(`resampleCrop(): ${width}x${height}: out of memory`);
  // A copy: the next call overwrites the wasm memory (and may grow it, detaching its buffer).
  return new Uint8Array(wasm.memory.buffer, out, cropWidth * cropHeight * 3).slice();
}

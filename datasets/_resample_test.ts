import assert from "node:assert/strict";
import { runPython } from "./_test_utils.ts";
import { resampleCrop } from "./_resample.ts";
import { RESAMPLE_WASM } from "./_resample_wasm.ts";
import { resizedCrop } from "./_decode_image.ts";

// Each case's input (seeded noise over a gradient, so that rounding is exercised everywhere)
// and PIL's Image.resize((w, h), BILINEAR).crop(...) of it, as raw RGB files CASE.in, CASE.want.
const PIL_RESIZE = `
import json, sys
import numpy as np
from PIL import Image
d, cases = sys.argv[1], json.loads(sys.argv[2])
for i, (iw, ih, w, h, l, t, cw, ch) in enumerate(cases):
    rng = np.random.default_rng(i)
    y, x = np.mgrid[0:ih, 0:iw]
    base = np.stack([x * 255 // max(iw - 1, 1), y * 255 // max(ih - 1, 1), (x + y) % 256], -1)
    noise = rng.integers(0, 256, (ih, iw, 3))
    a = np.where(rng.random((ih, iw, 1)) < 0.5, noise, base).astype(np.uint8)
    open(f"{d}/{i}.in", "wb").write(a.tobytes())
    out = Image.fromarray(a, "RGB").resize((w, h), Image.BILINEAR).crop((l, t, l + cw, t + ch))
    open(f"{d}/{i}.want", "wb").write(out.tobytes())
`;

/** [inW, inH, side]: torchvision's Resize(side) + CenterCrop(side) of an inW x inH image. */
const CENTRE_CROPS: [number, number, number][] = [
  [640, 427, 96], // shrink, landscape
  [427, 640, 96], // shrink, portrait
  [333, 211, 32], // odd sizes
  [1501, 997, 160], // a large factor
  [23, 17, 32], // enlarge
  [17, 23, 160], // enlarge a lot
  [97, 95, 96], // almost the size: shrink one side, enlarge the other
  [96, 96, 96], // the same size: a copy
  [96, 300, 96], // only the height to crop: no resize at all
  [1, 300, 32], // one pixel wide: 32 x 9600
  [300, 1, 32], // one pixel high
  [1, 1, 96], // one pixel
  [2000, 3, 32], // extreme aspect, shrinking the short side
  [5, 700, 160], // extreme aspect, enlarging
];

/** [inW, inH, w, h, left, top, cropW, cropH]: resizes of one axis, and uncropped ones. */
const OTHER: number[][] = [
  [96, 150, 96, 100, 0, 0, 96, 100], // vertical pass only
  [150, 96, 100, 96, 0, 0, 100, 96], // horizontal pass only
  [150, 96, 100, 96, 7, 3, 50, 80], // horizontal only, cropped
  [61, 43, 200, 11, 0, 0, 200, 11], // enlarge one axis, shrink the other
  [640, 427, 71, 53, 0, 0, 71, 53], // whole, no crop
];

function cases(): number[][] {
  return [
    ...CENTRE_CROPS.map(([w, h, side]) => {
      const box = resizedCrop(w, h, side);
      return [w, h, box.width, box.height, box.left, box.top, side, side];
    }),
    ...OTHER,
  ];
}

Deno.test("`resampleCrop()` gives PIL's bilinear resize and crop to the byte", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const all = cases();
    await runPython(["-c", PIL_RESIZE, dir, JSON.stringify(all)]);
    for (const [i, [iw, ih, w, h, left, top, cropWidth, cropHeight]] of all.entries()) {
      const data = await Deno.readFile(`${dir}/${i}.in`);
      const got = resampleCrop({ width: iw, height: ih, data }, {
        width: w,
        height: h,
        left,
        top,
        cropWidth,
        cropHeight,
      });
      const want = await Deno.readFile(`${dir}/${i}.want`);
      assert.equal(got.length, want.length);
      const differing = got.filter((v, j) => v !== want[j]).length;
      assert.equal(differing, 0, `${iw}x${ih} -> ${w}x${h}: ${differing} bytes differ from PIL's`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("`resampleCrop()` refuses a crop outside the resized image", () => {
  const raw = { width: 4, height: 4, data: new Uint8Array(48) };
  const crop = { width: 8, height: 8, left: 4, top: 0, cropWidth: 5, cropHeight: 8 };
  assert.throws(() => resampleCrop(raw, crop), /crop is 5x8 at 4,0: expected inside 8x8/);
  assert.throws(
    () => resampleCrop({ ...raw, width: 5 }, { ...crop, left: 0 }),
    /raw.data has 48 bytes: expected 5x4x3/,
  );
});

function hasClang(): boolean {
  try {
    const out = new Deno.Command("clang", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync();
    return out.success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "`tools/build_resample_wasm.sh` rebuilds the checked-in module (where clang is installed)",
  ignore: !hasClang(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const script = new URL("../tools/build_resample_wasm.sh", import.meta.url).pathname;
      const out = await new Deno.Command("sh", { args: [script, `${dir}/wasm.ts`] }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const built = await import(`file://${dir}/wasm.ts`);
      assert.equal(built.RESAMPLE_WASM, RESAMPLE_WASM, "rebuild: sh tools/build_resample_wasm.sh");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

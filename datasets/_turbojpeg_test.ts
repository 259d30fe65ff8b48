import assert from "node:assert/strict";
import { runPython } from "./_test_utils.ts";
import { decodePlainJpeg, turbojpegAvailable } from "./_turbojpeg.ts";

const TOOL = new URL("../tools/make_image_folder.py", import.meta.url).pathname;

// PIL's own full-size decode of each file (Image.open(...).convert("RGB")), as raw bytes.
const PIL_DECODE = "import sys\nfrom PIL import Image\n" +
  "for p in sys.argv[1:]:\n  open(p + '.rgb', 'wb').write(Image.open(p).convert('RGB').tobytes())\n";

// An sRGB ICC profile written into a plain JPEG (sharp converts by it; the fast path declines).
const ICC_JPEG = "import sys\nfrom PIL import Image, ImageCms\n" +
  "icc = ImageCms.ImageCmsProfile(ImageCms.createProfile('sRGB')).tobytes()\n" +
  "Image.open(sys.argv[1]).save(sys.argv[2], quality=90, icc_profile=icc)\n";

Deno.test({
  name: "`decodePlainJpeg()` decodes plain JPEGs to PIL's pixels and declines the rest",
  ignore: !turbojpegAvailable(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      await runPython([TOOL, dir, "32"]);
      const images = `${dir}/images`;
      const plain = ["china/rgb.jpg", "china/portrait.jpg", "china/grey.jpg", "flower/rgb.jpg"];
      await runPython(["-c", PIL_DECODE, ...plain.map((p) => `${images}/${p}`)]);
      for (const path of plain) {
        const raw = await decodePlainJpeg(await Deno.readFile(`${images}/${path}`));
        assert.ok(raw !== null, `${path}: not decoded`);
        const want = await Deno.readFile(`${images}/${path}.rgb`);
        assert.equal(raw.data.length, raw.width * raw.height * 3);
        assert.equal(raw.data.length, want.length, path);
        const differing = raw.data.filter((v, i) => v !== want[i]).length;
        assert.equal(differing, 0, `${path}: ${differing} bytes differ from PIL's`);
      }
      await runPython(["-c", ICC_JPEG, `${images}/china/rgb.jpg`, `${dir}/icc.jpg`]);
      const declined = [
        `${images}/china/cmyk.jpg`, // CMYK: sharp, through a profile
        `${images}/china/exif6.jpg`, // EXIF orientation 6: sharp rotates
        `${dir}/icc.jpg`, // an ICC profile: sharp converts by it
        `${dir}/broken/truncated.jpg`, // a warning: sharp names the problem
        `${images}/china/photo.webp`, // not a JPEG
      ];
      for (const path of declined) {
        assert.equal(await decodePlainJpeg(await Deno.readFile(path)), null, path);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

// Decodes each JPEG given at 32 px in a process of its own, into FILE.out, and prints whether
// libturbojpeg opened and the decoders' version as one JSON line.
const CHILD = `
import { decodeImage, decoderVersion } from "./datasets/_decode_image.ts";
import { turbojpegAvailable } from "./datasets/_turbojpeg.ts";
for (const p of Deno.args) await Deno.writeFile(p + ".out", await decodeImage(await Deno.readFile(p), p, 32));
console.log(JSON.stringify({ available: turbojpegAvailable(), version: decoderVersion() }));
`;

Deno.test("`decodeImage()` decodes JPEGs with sharp where libturbojpeg cannot be opened or is turned off", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await runPython([TOOL, dir, "32"]);
    const files = ["china/rgb.jpg", "china/grey.jpg", "flower/rgb.jpg"];
    const root = new URL("..", import.meta.url).pathname;
    for (const setting of ["/nonexistent/libturbojpeg.so.0", "0"]) {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["eval", "--ext=ts", CHILD, ...files.map((f) => `${dir}/images/${f}`)],
        cwd: root,
        env: { SIMCLR_TURBOJPEG: setting },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      const got = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.equal(got.available, false, setting);
      assert.ok(!got.version.includes("libturbojpeg"), got.version);
      for (const path of files) {
        const want = await Deno.readFile(`${dir}/reference/${path.replace("/", "__")}.rgb`);
        const pixels = await Deno.readFile(`${dir}/images/${path}.out`);
        assert.equal(pixels.length, want.length);
        // sharp's own JPEG decoder and resize: PIL's pixels within open_image_folder_test's bounds.
        const mean = pixels.reduce((s, v, j) => s + Math.abs(v - want[j]), 0) / pixels.length;
        assert.ok(mean <= 1.25, `${setting} ${path}: mean |ours - PIL| ${mean}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

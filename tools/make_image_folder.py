"""Writes a folder of real photos in every format and mode the image-folder reader decodes, and
PIL's own decode of each (torchvision's `ImageFolder` loader, then `Resize(size)` +
`CenterCrop(size)`), for datasets/open_image_folder_test.ts.

    /usr/bin/python3 tools/make_image_folder.py OUT [SIZE]

OUT/images/<class>/<file>: crops of scikit-learn's two sample photos (china.jpg, flower.jpg) at
mixed sizes, as JPEG (RGB, grayscale, CMYK, EXIF-rotated), PNG (RGB, L, RGBA, palette, 16-bit
RGB and grey), WebP, GIF (two frames), BMP (24-bit and palette), TIFF, and one truncated JPEG.
OUT/reference/<file>.rgb: size x size x 3 uint8 bytes, PIL's pixels; OUT/reference.json: the
files, their class and how the reference was made.
"""

import json
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image, ImageOps
from sklearn.datasets import load_sample_images
from torchvision import transforms


def png16_rgb(path, array):
    """A 16-bit RGB PNG (PIL writes 16-bit grey only), written chunk by chunk."""
    h, w, _ = array.shape

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + array[y].astype(">u2").tobytes() for y in range(h))
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(rows)))
        f.write(chunk(b"IEND", b""))


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 32
    china, flower = [Image.fromarray(a) for a in load_sample_images().images]
    files = {}  # relative path -> note

    def put(cls, name, save, note="PIL convert('RGB')"):
        os.makedirs(f"{out}/images/{cls}", exist_ok=True)
        path = f"{out}/images/{cls}/{name}"
        save(path)
        files[f"{cls}/{name}"] = note

    c = china
    f = flower
    put("china", "rgb.jpg", lambda p: c.save(p, quality=90))
    put("china", "portrait.jpg", lambda p: c.crop((100, 0, 350, 427)).save(p, quality=85))
    put("china", "small.png", lambda p: c.resize((23, 17), Image.BILINEAR).save(p))
    put("china", "grey.png", lambda p: c.convert("L").crop((0, 0, 200, 120)).save(p))
    put("china", "grey.jpg", lambda p: c.convert("L").save(p, quality=90))
    put("china", "cmyk.jpg", lambda p: c.convert("CMYK").save(p, quality=95),
        "PIL convert('RGB') of CMYK (naive; the reader uses an ICC profile)")
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    put("china", "exif6.jpg", lambda p: c.crop((0, 0, 300, 200)).save(p, quality=92, exif=exif),
        "ImageOps.exif_transpose, then convert('RGB')")
    put("china", "photo.webp", lambda p: c.save(p, quality=90))
    put("china", "photo.tif", lambda p: c.crop((50, 50, 250, 190)).save(p))
    put("china", "photo.bmp", lambda p: c.crop((10, 10, 131, 97)).save(p))
    rgba = np.dstack([np.asarray(f), np.tile(np.linspace(0, 255, 640).astype(np.uint8), (427, 1))])
    put("flower", "rgba.png", lambda p: Image.fromarray(rgba, "RGBA").save(p),
        "PIL convert('RGB') drops alpha")
    put("flower", "palette.png", lambda p: f.quantize(64).save(p))
    put("flower", "palette.bmp", lambda p: f.crop((0, 0, 150, 100)).quantize(16).save(p))
    frames = [f.crop((0, 0, 160, 120)).quantize(128), c.crop((0, 0, 160, 120)).quantize(128)]
    put("flower", "anim.gif", lambda p: frames[0].save(p, save_all=True, append_images=frames[1:]),
        "first frame, convert('RGB')")
    png16 = np.asarray(f.crop((200, 100, 330, 200))).astype(np.uint16) * 257 + 91
    put("flower", "rgb16.png", lambda p: png16_rgb(p, png16),
        "PIL reads 16-bit RGB as the high byte")
    grey16 = (np.asarray(f.convert("L").crop((0, 0, 90, 140))).astype(np.uint16) * 257 + 17)
    put("flower", "grey16.png", lambda p: Image.fromarray(grey16).save(p),
        "high byte of each 16-bit value (PIL's convert('RGB') clips mode I at 255 instead)")
    put("flower", "rgb.jpg", lambda p: f.resize((320, 213), Image.BILINEAR).save(p, quality=90))

    transform = transforms.Compose([transforms.Resize(size), transforms.CenterCrop(size)])
    os.makedirs(f"{out}/reference", exist_ok=True)
    for rel, note in files.items():
        im = Image.open(f"{out}/images/{rel}")
        if rel.endswith("exif6.jpg"):
            im = ImageOps.exif_transpose(im)
        if rel.endswith("grey16.png"):
            im = Image.fromarray((np.asarray(im).astype(np.uint32) >> 8).astype(np.uint8))
        rgb = np.asarray(transform(im.convert("RGB")), dtype=np.uint8)
        assert rgb.shape == (size, size, 3), (rel, rgb.shape)
        with open(f"{out}/reference/{rel.replace('/', '__')}.rgb", "wb") as fh:
            fh.write(rgb.tobytes())
    # A truncated JPEG: PIL itself refuses it ("image file is truncated").
    data = open(f"{out}/images/china/rgb.jpg", "rb").read()
    os.makedirs(f"{out}/broken", exist_ok=True)
    with open(f"{out}/broken/truncated.jpg", "wb") as fh:
        fh.write(data[: len(data) // 2])
    with open(f"{out}/reference.json", "w") as fh:
        json.dump({"size": size, "files": files}, fh, indent=1)


if __name__ == "__main__":
    main()

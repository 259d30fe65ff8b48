"""Writes a folder of JPEG photos for the decode bench: random crops (seeded) of scikit-learn's
two sample photos (640x427), in ten class folders. Without SIDE, at their own size (200 to 640
pixels a side); with SIDE, enlarged (bicubic) so that the longer side is SIDE pixels, for
camera-sized files (decoding cost grows with the pixels).

    /usr/bin/python3 tools/make_jpeg_folder.py OUT [COUNT] [SIDE]
"""

import os
import sys

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_images


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    side = int(sys.argv[3]) if len(sys.argv) > 3 else None
    photos = [Image.fromarray(a) for a in load_sample_images().images]
    rng = np.random.default_rng(42)
    for i in range(count):
        photo = photos[i % 2]
        w, h = int(rng.integers(200, 641)), int(rng.integers(200, 428))
        x, y = int(rng.integers(0, 641 - w)), int(rng.integers(0, 428 - h))
        image = photo.crop((x, y, x + w, y + h))
        if rng.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        if side is not None:
            scale = side / max(w, h)
            image = image.resize((round(w * scale), round(h * scale)), Image.BICUBIC)
        cls = f"{out}/class{i % 10}"
        os.makedirs(cls, exist_ok=True)
        image.save(f"{cls}/{i:05d}.jpg", quality=int(rng.integers(75, 96)))


if __name__ == "__main__":
    main()

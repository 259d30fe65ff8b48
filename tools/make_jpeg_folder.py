"""Writes a folder of JPEG photos for the decode bench: random crops (seeded) of scikit-learn's
two sample photos, at sizes between 200 and 640 pixels a side, in ten class folders.

    /usr/bin/python3 tools/make_jpeg_folder.py OUT [COUNT]
"""

import os
import sys

import numpy as np
from PIL import Image
from sklearn.datasets import load_sample_images


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    photos = [Image.fromarray(a) for a in load_sample_images().images]
    rng = np.random.default_rng(42)
    for i in range(count):
        photo = photos[i % 2]
        w, h = int(rng.integers(200, 641)), int(rng.integers(200, 428))
        x, y = int(rng.integers(0, 641 - w)), int(rng.integers(0, 428 - h))
        image = photo.crop((x, y, x + w, y + h))
        if rng.random() < 0.5:
            image = image.transpose(Image.FLIP_LEFT_RIGHT)
        cls = f"{out}/class{i % 10}"
        os.makedirs(cls, exist_ok=True)
        image.save(f"{cls}/{i:05d}.jpg", quality=int(rng.integers(75, 96)))


if __name__ == "__main__":
    main()

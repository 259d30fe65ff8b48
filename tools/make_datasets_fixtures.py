"""Fixtures for @simclr/datasets: torchvision's STL10 reader on a tiny file.

Writes datasets/testdata/tv_stl10/{train_X.bin,train_y.bin} (2 random images, seeded) and
datasets/testdata/tv_stl10_expected_hwc.bin (torchvision's decoded images, HWC uint8, as its
__getitem__ hands them to PIL) plus tv_stl10_expected.json (labels).
Run with Debian's python: /usr/bin/python3 tools/make_datasets_fixtures.py
"""
import json
import os

import numpy as np
from torchvision.datasets import STL10

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "datasets", "testdata")
FOLDER = os.path.join(OUT, "tv_stl10")
os.makedirs(FOLDER, exist_ok=True)

rng = np.random.default_rng(0)
images = rng.integers(0, 256, size=(2, 3 * 96 * 96), dtype=np.uint8)
labels = np.array([3, 10], dtype=np.uint8)  # file labels are 1..10
images.tofile(os.path.join(FOLDER, "train_X.bin"))
labels.tofile(os.path.join(FOLDER, "train_y.bin"))

# torchvision's own private reader (the md5 check of __init__ would reject our tiny files)
ds = object.__new__(STL10)
ds.root = OUT
ds.base_folder = "tv_stl10"
data, y = ds._STL10__loadfile("train_X.bin", "train_y.bin")
hwc = np.stack([np.transpose(img, (1, 2, 0)) for img in data])  # as STL10.__getitem__
assert hwc.shape == (2, 96, 96, 3)
np.ascontiguousarray(hwc, dtype=np.uint8).tofile(os.path.join(OUT, "tv_stl10_expected_hwc.bin"))
with open(os.path.join(OUT, "tv_stl10_expected.json"), "w") as f:
    json.dump({"labels": [int(v) for v in y], "shape": list(hwc.shape)}, f)
    f.write("\n")
print("wrote", FOLDER, y)

#!/usr/bin/python3
"""Writes scikit-learn's handwritten digits as an STL10 folder: real images no one here made,
for the learning A/B (tools/learning_ab.py) and for trying the commands on data that is not
STL10.

Run with Debian's python (python3-sklearn ships the 1,797 digits; nothing is downloaded):

    /usr/bin/python3 tools/write_digits_stl10.py .cache/digits-stl10

The 8x8 digits (16 grey levels) are scaled to 0..255 and resized to `--size` pixels (default
96, STL10's) with PIL's bicubic filter, grey in all three channels. Per class, a seeded
shuffle puts the first `--train-per-class` images (default 100) in the labelled train split
and the rest (74 to 83 per class) in the test split; the unlabeled split holds the train
split's images again (SimCLR's pretraining data: the digits have no other images). The folder
follows datasets/write_stl10.ts: `<split>_X.bin` (per image three channel planes, each
column-major), `<split>_y.bin` (labels 1..10), `image_size.txt` when the size is not 96, and
`class_names.txt` ("zero" .. "nine"). Everything is written into a temporary folder beside
the destination and renamed, so a killed run leaves no half folder. Deterministic.
"""

import argparse
import os
import shutil
import tempfile

import numpy as np
from PIL import Image
from sklearn.datasets import load_digits

NAMES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def to_stl10(hwc):
    """[N, H, W, 3] uint8 -> STL10's bytes: per image, channel planes stored column-major."""
    return np.ascontiguousarray(np.transpose(hwc, (0, 3, 2, 1))).tobytes()


def digit_images(size):
    digits = load_digits()
    images = np.empty((len(digits.images), size, size, 3), np.uint8)
    for i, im in enumerate(digits.images):
        grey = Image.fromarray(np.round(im * 255.0 / 16.0).astype(np.uint8), mode="L")
        big = np.asarray(grey.resize((size, size), Image.BICUBIC))
        images[i] = big[:, :, None]
    return images, digits.target.astype(np.int64)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", help="the STL10 folder to write (replaced if it exists)")
    parser.add_argument("--size", type=int, default=96, help="image side in pixels (96)")
    parser.add_argument("--train-per-class", type=int, default=100, help="labelled (100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split (0)")
    args = parser.parse_args()

    images, labels = digit_images(args.size)
    rng = np.random.default_rng(args.seed)
    train, test = [], []
    for c in range(10):
        idx = rng.permutation(np.flatnonzero(labels == c))
        train.extend(idx[: args.train_per_class])
        test.extend(idx[args.train_per_class:])
    # Interleave the classes in a seeded order, as STL10's files are not sorted by label.
    train = rng.permutation(np.array(train))
    test = rng.permutation(np.array(test))

    out = os.path.abspath(args.out)
    parent = os.path.dirname(out)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=".digits-")
    os.chmod(tmp, 0o755)
    try:
        for name, idx in [("train", train), ("test", test), ("unlabeled", train)]:
            with open(os.path.join(tmp, f"{name}_X.bin"), "wb") as f:
                f.write(to_stl10(images[idx]))
            if name != "unlabeled":
                with open(os.path.join(tmp, f"{name}_y.bin"), "wb") as f:
                    f.write((labels[idx] + 1).astype(np.uint8).tobytes())
        with open(os.path.join(tmp, "class_names.txt"), "w") as f:
            f.write("\n".join(NAMES) + "\n")
        if args.size != 96:
            with open(os.path.join(tmp, "image_size.txt"), "w") as f:
                f.write(f"{args.size}\n")
        if os.path.exists(out):
            shutil.rmtree(out)
        os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    print(f"wrote {out}: {len(train)} train, {len(test)} test, {len(train)} unlabeled, "
          f"{args.size} px")


if __name__ == "__main__":
    main()

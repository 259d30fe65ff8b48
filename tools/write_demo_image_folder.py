"""Writes an STL10-layout folder (the demo set, `deno task demo-data`) out as an image folder with
splits (train/CLASS, test/CLASS, unlabeled; JPEG quality 95), for timing `pretrain --data DIR`
against the same images' binaries (README, "Your own images").

    /usr/bin/python3 tools/write_demo_image_folder.py .cache/demo-data-v3 /tmp/demo-folder
"""
import sys, os, numpy as np
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
names = open(f"{src}/class_names.txt").read().split()
def images(split):
    x = np.fromfile(f"{src}/{split}_X.bin", dtype=np.uint8).reshape(-1, 3, 96, 96)
    return x.transpose(0, 3, 2, 1)  # STL10 stores column-major CHW
for split in ["train", "test", "unlabeled"]:
    x = images(split)
    y = np.fromfile(f"{src}/{split}_y.bin", dtype=np.uint8) if split != "unlabeled" else None
    for i, img in enumerate(x):
        d = f"{dst}/{split}/{names[y[i] - 1]}" if y is not None else f"{dst}/{split}"
        os.makedirs(d, exist_ok=True)
        Image.fromarray(img).save(f"{d}/{i:05d}.jpg", quality=95)
    print(split, len(x))

#!/usr/bin/python3
"""Images per second of the tutorial's augmentation in torchvision, per image on the CPU.

    /usr/bin/python3 tools/bench_torchvision_augment.py [--images 256] [--repeats 3]

Runs the tutorial's ContrastiveTransformations(contrast_transforms, n_views=2) on PIL images
(what the STL10 dataset hands the transform), one image at a time in this process, as a
data-loader worker does; also the same transforms on float tensors. The reference side of
augment/augment_bench.ts (two views of 256 images at 96 px).
"""

import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torchvision
from PIL import Image
from torchvision import transforms

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tutorial_simclr import ContrastiveTransformations  # noqa: E402  (the tutorial's, transcribed once)

parser = argparse.ArgumentParser()
parser.add_argument("--images", type=int, default=256)
parser.add_argument("--repeats", type=int, default=3)
parser.add_argument("--size", type=int, default=96)
args = parser.parse_args()


def contrast_transforms(to_tensor):
    steps = [
        transforms.RandomHorizontalFlip(),
        transforms.RandomResizedCrop(size=args.size),
        transforms.RandomApply(
            [transforms.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1)], p=0.8
        ),
        transforms.RandomGrayscale(p=0.2),
        transforms.GaussianBlur(kernel_size=9),
    ]
    if to_tensor:
        steps.append(transforms.ToTensor())
    steps.append(transforms.Normalize((0.5,), (0.5,)))
    return transforms.Compose(steps)


torch.manual_seed(0)
rng = np.random.default_rng(0)
pixels = rng.integers(0, 256, size=(args.images, 96, 96, 3), dtype=np.uint8)
pil_images = [Image.fromarray(p) for p in pixels]
tensor_images = [torch.from_numpy(p).permute(2, 0, 1).float().div(255) for p in pixels]

results = {}
for name, images, transform in [
    ("pil (tutorial)", pil_images, ContrastiveTransformations(contrast_transforms(True))),
    ("float tensor", tensor_images, ContrastiveTransformations(contrast_transforms(False))),
]:
    timings = []
    for repeat in range(args.repeats + 1):
        start = time.perf_counter()
        views = [transform(img) for img in images]
        batch = torch.cat([torch.stack([v[i] for v in views]) for i in range(2)], 0)
        elapsed = time.perf_counter() - start
        if repeat > 0:  # the first run warms up
            timings.append(elapsed)
    assert batch.shape == (2 * args.images, 3, args.size, args.size)
    best = min(timings)
    results[name] = {
        "seconds": timings,
        "imagesPerSecond": args.images / best,
    }
    print(f"{name:16s} {args.images / best:8.1f} images/s (2 views each; best of {args.repeats}: {best:.3f} s)")

print(
    json.dumps(
        {
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "threads": torch.get_num_threads(),
            "cpus": os.cpu_count(),
            "images": args.images,
            "results": results,
        }
    )
)

"""torchvision's side of the decode bench (tools/bench_decode.ts): one epoch of
`ImageFolder(DIR, Resize(SIZE) + CenterCrop(SIZE) + PILToTensor())` through a DataLoader with
WORKERS worker processes (0: in this process), batch 64. Prints one JSON line.

    /usr/bin/python3 tools/bench_decode.py DIR SIZE WORKERS
"""

import json
import sys
import time

import torch
from torchvision import datasets, transforms


def main():
    root, size, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(1)
    transform = transforms.Compose(
        [transforms.Resize(size), transforms.CenterCrop(size), transforms.PILToTensor()]
    )
    folder = datasets.ImageFolder(root, transform=transform)
    loader = torch.utils.data.DataLoader(folder, batch_size=64, num_workers=workers)
    start = time.perf_counter()
    count = 0
    for images, _ in loader:
        count += len(images)
    seconds = time.perf_counter() - start
    print(json.dumps({"images": count, "seconds": seconds, "images_per_s": count / seconds}))


if __name__ == "__main__":
    main()

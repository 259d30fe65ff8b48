"""Reference convolution gradients from PyTorch for train/conv_*_test.ts.

Run with Debian's python (torch 1.13): /usr/bin/python3 tools/make_conv_grad_fixtures.py
Writes backends/testdata/conv_grads.json (case list, shapes, offsets) and
backends/testdata/conv_grads.bin (float32 little-endian: x, w, dy, dx, dw per case, NHWC/HWIO).
Seeded and deterministic.
"""
import json
import math
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "backends", "testdata")

# name, x NHWC, kernel, out channels, stride, padding ("same" | "valid" | int | [t, b, l, r])
CASES = [
    ("3x3 s1 same", [2, 7, 7, 3], 3, 4, 1, "same"),
    ("3x3 s2 same even", [2, 8, 8, 3], 3, 4, 2, "same"),
    ("3x3 s2 same odd", [2, 9, 9, 2], 3, 3, 2, "same"),
    ("3x3 s2 explicit 1", [2, 9, 8, 3], 3, 4, 2, 1),
    ("3x3 s1 valid", [1, 7, 6, 2], 3, 2, 1, "valid"),
    ("3x3 s2 valid odd", [2, 10, 9, 2], 3, 3, 2, "valid"),
    ("1x1 s1", [2, 5, 5, 4], 1, 3, 1, "valid"),
    ("1x1 s2 even", [2, 8, 8, 4], 1, 3, 2, "valid"),
    ("1x1 s2 odd", [2, 7, 7, 4], 1, 3, 2, "valid"),
    ("7x7 s2 explicit 3", [2, 17, 16, 3], 7, 4, 2, 3),
    ("7x7 s2 explicit asym", [1, 15, 15, 3], 7, 2, 2, [3, 2, 2, 3]),
    ("5x5 s1 same", [1, 9, 9, 2], 5, 2, 1, "same"),
]


def tf_pads(size, k, s, pad):
    """(before, after) padding of one spatial axis, as TensorFlow computes it."""
    if pad == "valid":
        return 0, 0
    if pad == "same":
        out = math.ceil(size / s)
        total = max((out - 1) * s + k - size, 0)
        return total // 2, total - total // 2
    return pad, pad


def main():
    torch.manual_seed(0)
    meta = []
    chunks = []
    offset = 0
    for name, xs, k, cout, s, pad in CASES:
        n, h, w, c = xs
        x = torch.rand(n, c, h, w, dtype=torch.float64) * 2 - 1
        wt = torch.rand(cout, c, k, k, dtype=torch.float64) * 2 - 1
        if isinstance(pad, list):
            t, b, l, r = pad
            tf_pad = [[0, 0], [t, b], [l, r], [0, 0]]
        else:
            t, b = tf_pads(h, k, s, pad)
            l, r = tf_pads(w, k, s, pad)
            tf_pad = pad
        x.requires_grad_(True)
        wt.requires_grad_(True)
        y = F.conv2d(F.pad(x, (l, r, t, b)), wt, stride=s)
        dy = torch.rand(y.shape, dtype=torch.float64) * 2 - 1
        y.backward(dy)
        arrays = {
            "x": x.detach().permute(0, 2, 3, 1),  # NHWC
            "w": wt.detach().permute(2, 3, 1, 0),  # HWIO
            "dy": dy.permute(0, 2, 3, 1),
            "dx": x.grad.permute(0, 2, 3, 1),
            "dw": wt.grad.permute(2, 3, 1, 0),
        }
        entry = {"name": name, "stride": s, "pad": tf_pad, "kernel": k}
        for key, a in arrays.items():
            flat = np.ascontiguousarray(a.numpy().astype("<f4")).ravel()
            entry[key] = {"shape": list(a.shape), "offset": offset, "length": int(flat.size)}
            offset += flat.size
            chunks.append(flat)
        meta.append(entry)
    os.makedirs(OUT, exist_ok=True)
    data = np.concatenate(chunks).astype("<f4").tobytes()
    for fname, payload, mode in (
        ("conv_grads.bin", data, "wb"),
        ("conv_grads.json", json.dumps({"torch": torch.__version__, "cases": meta}, indent=2) + "\n", "w"),
    ):
        path = os.path.join(OUT, fname)
        with open(path + ".tmp", mode) as f:
            f.write(payload)
        os.replace(path + ".tmp", path)
    print(f"{len(meta)} cases, {len(data)} bytes")


if __name__ == "__main__":
    main()

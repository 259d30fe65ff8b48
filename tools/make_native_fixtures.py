"""Reference max pooling, BatchNorm (with ReLU or not) and matrix products from PyTorch for the native backend.

Run with Debian's python (torch 1.13): /usr/bin/python3 tools/make_native_fixtures.py
Writes backends/testdata/native_kernels.json: per case its inputs and PyTorch's outputs and
gradients, NHWC (torch's NCHW permuted), float32 values. Seeded and deterministic. The
convolutions' references are tools/make_conv_grad_fixtures.py's.
"""
import os

import torch
import torch.nn.functional as F

from _fixtures import f32, write_json_atomic

OUT = os.path.join(os.path.dirname(__file__), "..", "backends", "testdata", "native_kernels.json")


def nhwc(t):
    return t.detach().permute(0, 2, 3, 1)


def entry(t):
    return {"shape": list(t.shape), "values": f32(t.detach().reshape(-1).tolist())}


def max_pool(name, shape):
    """ResNet's stem pool (3x3, stride 2, padding 1) with the gradient of sum(y * dy)."""
    n, h, w, c = shape
    x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
    y = F.max_pool2d(x, 3, 2, 1)
    dy = torch.randn(y.shape, dtype=torch.float64)
    y.backward(dy)
    return {
        "name": name,
        "x": entry(nhwc(x)),
        "dy": entry(nhwc(dy)),
        "y": entry(nhwc(y)),
        "dx": entry(nhwc(x.grad)),
    }


def batch_norm(name, shape, relu=False):
    """Training-mode BatchNorm over the last axis of `shape` (NHWC or [N, C]); then ReLU."""
    c = shape[-1]
    x = torch.randn(*shape, dtype=torch.float64) * 2 + 0.5
    x.requires_grad_(True)
    weight = (torch.rand(c, dtype=torch.float64) + 0.5).requires_grad_(True)
    bias = torch.randn(c, dtype=torch.float64).requires_grad_(True)
    xt = x.permute(0, 3, 1, 2) if x.dim() == 4 else x
    axes = [0, 2, 3] if x.dim() == 4 else [0]
    y = F.batch_norm(xt, None, None, weight, bias, training=True, eps=1e-5)
    y = y.permute(0, 2, 3, 1) if x.dim() == 4 else y
    y = F.relu(y) if relu else y
    dy = torch.randn(y.shape, dtype=torch.float64)
    y.backward(dy)
    return {
        "name": name,
        "x": entry(x),
        "weight": entry(weight),
        "bias": entry(bias),
        "dy": entry(dy),
        "y": entry(y),
        "mean": entry(xt.mean(axes)),
        "variance": entry(xt.var(axes, unbiased=False)),
        "dx": entry(x.grad),
        "dweight": entry(weight.grad),
        "dbias": entry(bias.grad),
    }


def mat_mul(name, m, k, n):
    """y = a @ b and the gradients of sum(y * dy) (each a product with a transposed operand)."""
    a = torch.randn(m, k, dtype=torch.float64, requires_grad=True)
    b = torch.randn(k, n, dtype=torch.float64, requires_grad=True)
    y = a @ b
    dy = torch.randn(m, n, dtype=torch.float64)
    y.backward(dy)
    return {
        "name": name,
        "a": entry(a),
        "b": entry(b),
        "dy": entry(dy),
        "y": entry(y),
        "da": entry(a.grad),
        "db": entry(b.grad),
    }


def main():
    torch.manual_seed(0)
    data = {
        "maxPool": [
            max_pool("odd sides", [2, 9, 7, 3]),
            max_pool("batch 1, even", [1, 8, 8, 4]),
        ],
        "batchNorm": [
            batch_norm("2d, odd sides", [3, 5, 7, 3]),
            batch_norm("2d, batch 1", [1, 4, 4, 5]),
            batch_norm("1d", [6, 4]),
        ],
        "matMul": [mat_mul("7x5 by 5x3", 7, 5, 3), mat_mul("1x9 by 9x4", 1, 9, 4)],
        "batchNormRelu": [
            batch_norm("2d + relu, odd sides", [3, 5, 7, 3], relu=True),
            batch_norm("2d + relu, batch 1", [1, 4, 4, 5], relu=True),
        ],
    }
    write_json_atomic(OUT, data)


if __name__ == "__main__":
    main()

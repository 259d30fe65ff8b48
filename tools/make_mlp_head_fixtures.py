"""Golden values for MLPHead with BatchNorm (the Barlow Twins / BYOL projectors), from PyTorch.

Run with Debian's Python (it has torch 1.13):
    /usr/bin/python3 tools/make_mlp_head_fixtures.py models/testdata/mlp_head_batchnorm.json

Two projectors as their official code builds them, small: Barlow Twins' (facebookresearch/
barlowtwins, main.py: Linear(bias=False), BatchNorm1d, ReLU, ..., Linear(bias=False)) and
BYOL's MLP (Linear, BatchNorm1d, ReLU, Linear). For each: the state dict, a batch, the
training-mode output, the running statistics after it, the evaluation-mode output after it,
and the gradients of sum(output * r) with respect to every parameter and the input.
"""

import sys

import torch
import torch.nn as nn

from _fixtures import f32, write_json_atomic


def barlow_projector(sizes):
    layers = []
    for i in range(len(sizes) - 2):
        layers.append(nn.Linear(sizes[i], sizes[i + 1], bias=False))
        layers.append(nn.BatchNorm1d(sizes[i + 1]))
        layers.append(nn.ReLU(inplace=True))
    layers.append(nn.Linear(sizes[-2], sizes[-1], bias=False))
    return nn.Sequential(*layers)


def byol_mlp(sizes):
    return nn.Sequential(
        nn.Linear(sizes[0], sizes[1]),
        nn.BatchNorm1d(sizes[1]),
        nn.ReLU(inplace=True),
        nn.Linear(sizes[1], sizes[2]),
    )


def case(name, net, sizes, bias, batch, generator):
    with torch.no_grad():  # non-trivial BatchNorm affine parameters
        for m in net:
            if isinstance(m, nn.BatchNorm1d):
                m.weight.copy_(1 + 0.3 * torch.randn(m.weight.shape, generator=generator))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=generator))
    state = {k: v.clone() for k, v in net.state_dict().items()}
    x = torch.randn(batch, sizes[0], generator=generator).requires_grad_(True)
    r = torch.randn(batch, sizes[-1], generator=generator)
    net.train()
    y = net(x)
    (y * r).sum().backward()
    running = {k: v.clone() for k, v in net.state_dict().items() if "running" in k or "tracked" in k}
    net.eval()
    with torch.no_grad():
        y_eval = net(x)
    return {
        "name": name,
        "sizes": sizes,
        "bias": bias,
        "state": {k: {"shape": list(v.shape), "values": f32(v.flatten().tolist())} for k, v in state.items()},
        "x": f32(x.detach().flatten().tolist()),
        "r": f32(r.flatten().tolist()),
        "y": f32(y.detach().flatten().tolist()),
        "running": {k: f32(v.flatten().tolist()) for k, v in running.items()},
        "yEval": f32(y_eval.flatten().tolist()),
        "grads": {k: f32(p.grad.flatten().tolist()) for k, p in net.named_parameters()},
        "gradX": f32(x.grad.flatten().tolist()),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "models/testdata/mlp_head_batchnorm.json"
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    cases = [
        case("barlow", barlow_projector([6, 16, 16, 8]), [6, 16, 16, 8], False, 5, generator),
        case("byol", byol_mlp([6, 12, 4]), [6, 12, 4], True, 7, generator),
    ]
    meta = {"torch": torch.__version__, "generator": "tools/make_mlp_head_fixtures.py"}
    write_json_atomic(out, {"meta": meta, "cases": cases})


if __name__ == "__main__":
    main()

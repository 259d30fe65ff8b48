"""PyTorch side of `deno task bench`: the same SimCLR pretraining step, timed.

ResNet-18 (torchvision) with the tutorial's projection head (fc -> Linear(512, 4h), ReLU,
Linear(4h, h), h = 128), the tutorial's InfoNCE (temperature 0.07), AdamW (lr 5e-4,
weight decay 1e-4), on 2 x batch random images per step, NCHW float32.

Usage: /usr/bin/python3 tools/bench_torch_step.py --sizes 32,96 --batch 32 --threads 2
       [--steps 3] [--warmup 1] [--budget 120] [--device cpu|cuda]
Prints one JSON object: {"torch_<size>_img_per_s": x, ..., "torch_peak_rss_mb": y, ...}.
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_losses_fixtures import tutorial_info_nce  # noqa: E402


def simclr_net(hidden_dim=128):
    net = torchvision.models.resnet18(num_classes=4 * hidden_dim)
    net.fc = nn.Sequential(net.fc, nn.ReLU(inplace=True), nn.Linear(4 * hidden_dim, hidden_dim))
    return net


def sync(device):
    if device == "cuda":
        torch.cuda.synchronize()


def bench(size, batch, steps, warmup, budget, device):
    torch.manual_seed(0)
    net = simclr_net().to(device).train()
    opt = torch.optim.AdamW(net.parameters(), lr=5e-4, weight_decay=1e-4)
    # a new batch every step, made before the clock starts (as examples/bench.ts does)
    batches = [torch.rand(2 * batch, 3, size, size, device=device) for _ in range(warmup + steps)]
    used = iter(batches)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = tutorial_info_nce(net(next(used)), 0.07)[0]  # the tutorial's, metrics included
        loss.backward()
        opt.step()
        return loss

    for _ in range(warmup):
        step()
    sync(device)
    start = time.perf_counter()
    done = 0
    while done < steps:
        step()
        done += 1
        sync(device)
        if time.perf_counter() - start > budget:
            break
    elapsed = time.perf_counter() - start
    return 2 * batch * done / elapsed, done, elapsed


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="32,96")
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=3)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--budget", type=float, default=120.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    out = {"torch_version": torch.__version__, "torch_device": args.device,
           "torch_threads": torch.get_num_threads()}
    if args.device == "cuda":
        out["torch_device_name"] = torch.cuda.get_device_name(0)
    for size in [int(s) for s in args.sizes.split(",") if s]:
        ips, done, elapsed = bench(size, args.batch, args.steps, args.warmup, args.budget, args.device)
        out[f"torch_{size}_img_per_s"] = round(ips, 3)
        out[f"torch_{size}_steps"] = done
        out[f"torch_{size}_seconds"] = round(elapsed, 3)
    out["torch_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if args.device == "cuda":
        out["torch_peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()

"""Golden values for @simclr/train's optimiser and schedules, from PyTorch.

    /usr/bin/python3 tools/make_train_fixtures.py train/testdata/optim.json

AdamW: two parameters, one in a no-decay group, five steps with given gradients and a
learning rate changed between steps. Schedules: the learning rate of each epoch as
CosineAnnealingLR and MultiStepLR report it after `epoch` calls of `step()`.
"""

import sys

import torch

from _fixtures import f32, write_json_atomic


def tensor_f32(t):
    return f32(t.detach().flatten().tolist())


def adamw_case():
    g = torch.Generator().manual_seed(1)
    w = torch.randn(3, 4, generator=g).requires_grad_(True)
    b = torch.randn(4, generator=g).requires_grad_(True)
    init = {"w": tensor_f32(w), "b": tensor_f32(b)}
    opt = torch.optim.AdamW(
        [{"params": [w], "weight_decay": 0.1}, {"params": [b], "weight_decay": 0.0}],
        lr=0.05, betas=(0.9, 0.99), eps=1e-6,
    )
    steps = []
    for step in range(5):
        lr = 0.05 * (1 - 0.1 * step)
        for group in opt.param_groups:
            group["lr"] = lr
        gw = torch.randn(3, 4, generator=g) * (step + 1)
        gb = torch.randn(4, generator=g) * 1e-3
        w.grad, b.grad = gw, gb
        opt.step()
        steps.append({"lr": lr, "gw": tensor_f32(gw), "gb": tensor_f32(gb), "w": tensor_f32(w), "b": tensor_f32(b)})
    return {"init": init, "betas": [0.9, 0.99], "eps": 1e-6, "weightDecay": 0.1, "steps": steps}


def schedule(make, epochs):
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=5e-4)
    sched = make(opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
    return lrs


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "train/testdata/optim.json"
    data = {
        "meta": {"torch": torch.__version__},
        "adamw": adamw_case(),
        "cosine": schedule(
            lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=10, eta_min=5e-4 / 50),
            14,
        ),
        "multistep": schedule(
            lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[6, 8], gamma=0.1), 10
        ),
    }
    write_json_atomic(out, data)


if __name__ == "__main__":
    main()

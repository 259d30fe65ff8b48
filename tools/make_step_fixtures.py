#!/usr/bin/python3
"""Reference for one full SimCLR training step, made with torch 1.13 / torchvision 0.14
(Debian's /usr/bin/python3). Deterministic (seeded).

    /usr/bin/python3 tools/make_step_fixtures.py [train/testdata/step_fixture.safetensors]

The network is the tutorial's convnet at width 4 with a CIFAR stem, i.e. what
`simclrNet({ width: 4, hiddenDim: 8, stem: "cifar" })` builds: torchvision's ResNet-18 layout
with channels 4, 8, 16, 32, conv1 = 3x3 stride 1, no max-pool, and
fc = Sequential(Linear(32, 32), ReLU, Linear(32, 8)). Its BatchNorms are perturbed (running
statistics and affine parameters). One step exactly as the tutorial's `training_step`:
model.train(); feats = convnet(views); its info_nce_loss (temperature 0.07); backward; one
torch.optim.AdamW(lr=5e-4, weight_decay=0.1) step on every parameter (the tutorial decays
all of them). The weight decay is 1000 times the tutorial's so that the decoupled decay,
lr * weight_decay * w, moves the weights by a measurable part of lr (a test that dropped it
must fail). The views are 2 x 6 random normal images at 16 px, stacked view-major.

To keep the file small (420 KB), floats are stored in half precision where that is lossless
or enough:
  input            [12, 16, 16, 3] NHWC views; the values are rounded to float16 BEFORE the step,
                   so F16 holds exactly what torch trained on
  before.<key>     the state dict before the step (torchvision keys, PyTorch layout); floats
                   rounded to float16 before the step (F16, exact), num_batches_tracked I64
  after.<key>      buffers after the step: running_mean/var (F32) and num_batches_tracked (I64)
  grad.<key>       for each parameter, torch's float32 gradient (F32): Adam's first step hardly
                   depends on the gradient's scale, so the gradients are compared raw
  change.<key>     for each parameter, (after - before) / lr from torch's float32 result, in F16
                   (values near +-1 from Adam's first step: F16 resolution 5e-4 there)
  smallgrad.<key>  flat indices (PyTorch layout, I32) of the parameter elements whose torch
                   gradient is below 1e-5 of that tensor's largest |gradient| (mostly exact
                   zeros behind dead ReLUs in layer4 and the head); only for tensors that have
                   such elements. Adam's first step there, lr * g / (|g| + eps), hangs on
                   rounding: torch's own float32 gradients differ from float64 ones by up to
                   1.4e-5 of the tensor's largest (e.g. 9.0e-7 vs 7.3e-7 for
                   layer4.1.conv2.weight[7482], which moves lr * 0.989 vs lr * 0.986)
Metadata: loss, top1, top5, meanPos (before the step), lr, weightDecay, temperature, width,
hiddenDim, stem, smallGradRelative, torch: the test reads every setting from here.
"""
import os
import sys
from collections import OrderedDict

import torch
import torch.nn as nn
from torchvision.models.resnet import BasicBlock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_safetensors  # noqa: E402
from make_losses_fixtures import tutorial_info_nce  # noqa: E402
from make_models_fixtures import narrow_resnet, perturb_batchnorms  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "train", "testdata", "step_fixture.safetensors"))
WIDTH, HIDDEN_DIM, IMAGES, SIZE = 4, 8, 6, 16
LR, WEIGHT_DECAY, TEMPERATURE = 5e-4, 0.1, 0.07
SMALL_GRAD = 1e-5


def convnet():
    """The tutorial's convnet at width 4 with a CIFAR stem (torchvision has no width option)."""
    net = narrow_resnet(BasicBlock, [2, 2, 2, 2], WIDTH, 4 * HIDDEN_DIM, "cifar")
    net.fc = nn.Sequential(net.fc, nn.ReLU(inplace=True), nn.Linear(4 * HIDDEN_DIM, HIDDEN_DIM))
    return net


def half_exact(t):
    """`t` rounded to the nearest float16, kept as float32."""
    return t.half().float()


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    torch.manual_seed(8)
    g = torch.Generator().manual_seed(9)
    net = convnet()
    perturb_batchnorms(net, g)
    with torch.no_grad():
        for v in net.state_dict().values():
            if v.is_floating_point():
                v.copy_(half_exact(v))
    before = OrderedDict((k, v.clone()) for k, v in net.state_dict().items())
    views = half_exact(torch.randn(2 * IMAGES, SIZE, SIZE, 3, generator=g))  # NHWC, view-major

    # The tutorial's training step.
    net.train()
    optimizer = torch.optim.AdamW(net.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    feats = net(views.permute(0, 3, 1, 2))
    loss, top1, top5, mean_pos = tutorial_info_nce(feats, TEMPERATURE)
    optimizer.zero_grad()
    loss.backward()
    grads = {name: p.grad.clone() for name, p in net.named_parameters()}
    optimizer.step()
    after = net.state_dict()

    tensors = OrderedDict([("input", views.half())])
    for k, v in before.items():
        tensors["before." + k] = v.half() if v.is_floating_point() else v
    for k, v in after.items():
        if k in grads:
            tensors["grad." + k] = grads[k]
            change = (after[k].double() - before[k].double()) / LR
            tensors["change." + k] = change.half()
            small = grads[k].abs().flatten() < SMALL_GRAD * grads[k].abs().max()
            if small.any():
                tensors["smallgrad." + k] = small.nonzero().flatten().int()
        else:
            tensors["after." + k] = v
    metadata = {
        "loss": repr(loss.item()), "top1": repr(top1.item()), "top5": repr(top5.item()),
        "meanPos": repr(mean_pos.item()), "lr": repr(LR), "weightDecay": repr(WEIGHT_DECAY),
        "temperature": repr(TEMPERATURE), "width": str(WIDTH), "hiddenDim": str(HIDDEN_DIM),
        "stem": "cifar",
        "smallGradRelative": repr(SMALL_GRAD), "torch": torch.__version__,
        "generator": "tools/make_step_fixtures.py",
    }
    read_safetensors.write(out, tensors, metadata)
    print(f"{out}: {os.path.getsize(out)} bytes, loss {loss.item():.6f}, "
          f"{sum(v.numel() for k, v in tensors.items() if k.startswith('smallgrad.'))} small grads")


if __name__ == "__main__":
    main()

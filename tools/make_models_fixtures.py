#!/usr/bin/python3
"""Reference fixtures for @simclr/models, made with torch 1.13 / torchvision 0.14 (Debian's
/usr/bin/python3). Deterministic (seeded).

  make_models_fixtures.py                 small fixtures into models/testdata/
  make_models_fixtures.py --full --out D  the full-width tutorial convnet (11.7M + head params):
                                          D/simclr_full.ckpt and D/simclr_full_io.safetensors

Each case saves a network whose BatchNorms are perturbed (random running statistics and affine
parameters, so eval and training modes differ from identity), an NHWC input, the eval-mode
outputs, the training-mode output and the buffers after that one training-mode forward.
The SimCLR cases are Lightning-STYLE checkpoints written with plain torch: pytorch_lightning is
not installed, so its AttributeDict and callback classes are faked under their real module
names (the pickle then references them exactly as a real Lightning file does).
"""
import argparse
import json
import os
import sys
import types
from collections import OrderedDict

import torch
import torch.nn as nn
import torchvision
from torchvision.models.resnet import BasicBlock, Bottleneck, ResNet

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import read_safetensors  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TESTDATA = os.path.join(HERE, "..", "models", "testdata")


def fake_module(name, **attrs):
    """Registers module `name` (and its parents) in sys.modules with `attrs`."""
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        if sub not in sys.modules:
            sys.modules[sub] = types.ModuleType(sub)
            if i > 1:
                setattr(sys.modules[".".join(parts[:i - 1])], parts[i - 1], sys.modules[sub])
    for k, v in attrs.items():
        v.__module__ = name
        v.__qualname__ = k
        setattr(sys.modules[name], k, v)


class AttributeDict(dict):
    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError as e:
            raise AttributeError(key) from e


class ModelCheckpoint:
    pass


class LearningRateMonitor:
    pass


fake_module("pytorch_lightning.utilities.parsing", AttributeDict=AttributeDict)
fake_module("pytorch_lightning.callbacks.model_checkpoint", ModelCheckpoint=ModelCheckpoint)
fake_module("pytorch_lightning.callbacks.lr_monitor", LearningRateMonitor=LearningRateMonitor)


def narrow_resnet(block, layers, width, num_classes, stem):
    """torchvision's ResNet with base width `width` (torchvision hard-codes 64) and a stem."""
    m = ResNet.__new__(ResNet)
    nn.Module.__init__(m)
    m._norm_layer = nn.BatchNorm2d
    m.inplanes, m.dilation, m.groups, m.base_width = width, 1, 1, 64
    if stem == "imagenet":
        m.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
    else:
        m.conv1 = nn.Conv2d(3, width, kernel_size=3, stride=1, padding=1, bias=False)
    m.bn1 = nn.BatchNorm2d(width)
    m.relu = nn.ReLU(inplace=True)
    m.maxpool = nn.MaxPool2d(3, 2, 1) if stem == "imagenet" else nn.Identity()
    m.layer1 = m._make_layer(block, width, layers[0])
    m.layer2 = m._make_layer(block, 2 * width, layers[1], stride=2)
    m.layer3 = m._make_layer(block, 4 * width, layers[2], stride=2)
    m.layer4 = m._make_layer(block, 8 * width, layers[3], stride=2)
    m.avgpool = nn.AdaptiveAvgPool2d((1, 1))
    m.fc = nn.Linear(8 * width * block.expansion, num_classes)
    for mod in m.modules():
        if isinstance(mod, nn.Conv2d):
            nn.init.kaiming_normal_(mod.weight, mode="fan_out", nonlinearity="relu")
    return m


def tutorial_convnet(hidden_dim, width):
    """The tutorial's SimCLR convnet (torchvision's resnet18 itself at width 64)."""
    if width == 64:
        net = torchvision.models.resnet18(weights=None, num_classes=4 * hidden_dim)
    else:
        net = narrow_resnet(BasicBlock, [2, 2, 2, 2], width, 4 * hidden_dim, "imagenet")
    net.fc = nn.Sequential(net.fc, nn.ReLU(inplace=True), nn.Linear(4 * hidden_dim, hidden_dim))
    return net


@torch.no_grad()
def perturb_batchnorms(net, g):
    for mod in net.modules():
        if isinstance(mod, nn.BatchNorm2d):
            c = mod.num_features
            mod.weight.copy_(torch.rand(c, generator=g) + 0.5)
            mod.bias.copy_(torch.randn(c, generator=g) * 0.2)
            mod.running_mean.copy_(torch.randn(c, generator=g) * 0.2)
            mod.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
            mod.num_batches_tracked.fill_(int(torch.randint(0, 1000, (1,), generator=g)))


def run_case(net, x_nhwc, extra=None):
    """Outputs and post-training-forward buffers of `net` on NHWC input (state left changed)."""
    x = x_nhwc.permute(0, 3, 1, 2).contiguous()
    out = {"input": x_nhwc}
    with torch.no_grad():
        net.eval()
        out["eval_output"] = net(x)
        if extra is not None:
            out.update(extra(x))
        net.train()
        out["train_output"] = net(x)
    for k, v in net.state_dict().items():
        if "running" in k or "num_batches" in k:
            out["after." + k] = v
    return out


def lightning_checkpoint(net, hidden_dim):
    """A dict shaped like a PyTorch Lightning 1.x checkpoint of the tutorial's SimCLR module."""
    head = [p for n, p in net.named_parameters() if n.startswith("fc.")]
    opt = torch.optim.AdamW(head, lr=5e-4, weight_decay=1e-4)
    for p in head:
        p.grad = torch.ones_like(p) * 1e-3
    opt.step()
    opt.zero_grad(set_to_none=True)
    sched = torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[300, 400], gamma=0.1)
    return {
        "epoch": 499,
        "global_step": 19500,
        "pytorch-lightning_version": "1.3.4",
        "state_dict": OrderedDict(("convnet." + k, v) for k, v in net.state_dict().items()),
        "callbacks": {
            ModelCheckpoint: {
                "monitor": "val_acc_top5",
                "best_model_score": torch.tensor(0.9123),
                "best_model_path": "/saved_models/SimCLR/lightning_logs/version_0/x.ckpt",
                "current_score": torch.tensor(0.9100),
                "dirpath": "/saved_models/SimCLR/lightning_logs/version_0/checkpoints",
            },
            LearningRateMonitor: {},
        },
        "optimizer_states": [opt.state_dict()],
        "lr_schedulers": [sched.state_dict()],
        "hparams_name": "kwargs",
        "hyper_parameters": AttributeDict(
            hidden_dim=hidden_dim, lr=5e-4, temperature=0.07, weight_decay=1e-4, max_epochs=500,
            betas=(0.9, 0.999), tags=["simclr", "stl10"], big=2**70, flag=True, nothing=None,
            nested={"a": 1, "b": [1.5, "x"]},
        ),
    }


def simclr_case(out_dir, name, width, hidden_dim, size, batch, seed):
    torch.manual_seed(seed)
    g = torch.Generator().manual_seed(seed + 1)
    net = tutorial_convnet(hidden_dim, width)
    perturb_batchnorms(net, g)
    x = torch.rand(batch, size, size, 3, generator=g)
    ckpt = lightning_checkpoint(net, hidden_dim)  # one AdamW step on the head, then saved
    torch.save(ckpt, os.path.join(out_dir, f"{name}.ckpt"))

    def encoder(xc):
        enc = net.fc
        net.fc = nn.Identity()
        h = net(xc)
        net.fc = enc
        return {"encoder_output": h}

    io = run_case(net, x, encoder)
    read_safetensors.write(os.path.join(out_dir, f"{name}_io.safetensors"), io,
                           {"width": str(width), "hidden_dim": str(hidden_dim)})


def resnet50_case(out_dir):
    torch.manual_seed(50)
    g = torch.Generator().manual_seed(51)
    net = narrow_resnet(Bottleneck, [3, 4, 6, 3], 2, 10, "cifar")
    perturb_batchnorms(net, g)
    state = OrderedDict(("model." + k, v.clone()) for k, v in net.state_dict().items())
    x = torch.rand(2, 16, 16, 3, generator=g)
    io = run_case(net, x)
    state.update(io)
    read_safetensors.write(os.path.join(out_dir, "resnet50_w2_cifar.safetensors"), state,
                           {"width": "2", "stem": "cifar", "num_classes": "10"})


def dtypes_case(out_dir):
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6) * 0.5 - 3
    tensors = OrderedDict([
        ("f32", base),
        ("f32_t", base.t()),
        ("f32_slice", base[1:3, 2:5]),
        ("f16", torch.tensor([0.5, -1.25, 65504.0, 6e-5, 1e-7], dtype=torch.float16)),
        ("f16_view", torch.arange(12, dtype=torch.float16).reshape(3, 4)[:, 1::2]),
        ("bf16", torch.tensor([1.5, -2.0, 3.140625], dtype=torch.bfloat16)),
        ("f64", torch.tensor([[1 / 3, -2.5]], dtype=torch.float64)),
        ("i64", torch.tensor([0, -5, 2**31 - 1], dtype=torch.int64)),
        ("i64_view", torch.arange(10, dtype=torch.int64)[3:9:2]),
        ("i32", torch.tensor([[1, -2], [3, -4]], dtype=torch.int32)),
        ("u8", torch.tensor([0, 7, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False, True])),
        ("scalar", torch.tensor(7, dtype=torch.int64)),
        ("empty", torch.zeros(0, 3)),
    ])
    torch.save(tensors, os.path.join(out_dir, "dtypes.pt"))
    expected = {k: {"shape": list(v.shape),
                    "values": (v.float() if v.is_floating_point() else v).reshape(-1).tolist()}
                for k, v in tensors.items()}
    with open(os.path.join(out_dir, "dtypes.json"), "w") as f:
        json.dump(expected, f, indent=1)
    torch.save({"big": torch.tensor([1, 2**40])}, os.path.join(out_dir, "big_int64.pt"))


def containers_case(out_dir):
    """The same plain containers pickled with protocol 2 (bytes via _codecs.encode) and 4
    (FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, EMPTY_SET/ADDITEMS, FROZENSET)."""
    obj = {
        "state_dict": OrderedDict([("w", torch.arange(6, dtype=torch.float32).reshape(2, 3))]),
        "hyper_parameters": {
            "set": {1, 2}, "frozen": frozenset({3}), "bytes": b"ab\x00\xff", "tuple": (1, (2, 3)),
            "float": 1.5, "neg": -7, "big": 2**40, "nested": [{"a": None}], "text": "\u00e9\u4e2d",
        },
    }
    for protocol in (2, 4):
        torch.save(obj, os.path.join(out_dir, f"containers_p{protocol}.pt"),
                   pickle_protocol=protocol)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/simclr_models_pwned",))


def malicious_case(out_dir):
    torch.save({"state_dict": OrderedDict(), "payload": Evil()},
               os.path.join(out_dir, "malicious.pt"))


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--full", action="store_true", help="make the full-width case only")
    parser.add_argument("--out", default=TESTDATA, help="output folder")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    if args.full:
        simclr_case(args.out, "simclr_full", 64, 128, 64, 2, 64)
        return
    simclr_case(args.out, "simclr_w3", 3, 16, 32, 4, 3)
    resnet50_case(args.out)
    dtypes_case(args.out)
    containers_case(args.out)
    malicious_case(args.out)


if __name__ == "__main__":
    main()

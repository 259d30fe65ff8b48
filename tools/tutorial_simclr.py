#!/usr/bin/python3
"""The tutorial's SimCLR pipeline, transcribed to plain PyTorch (no Lightning): the reference
side of the learning A/B (tools/learning_ab.py). From ../shared/reference/simclr-tutorial.txt:

- `contrast_transforms` on PIL images (`--aug pil`, the tutorial's), the same transforms on
  float tensors (`--aug tensor`: ToTensor first, torchvision's tensor ops, no antialias), or
  this project's views (`--aug ours`: `simclrViews` through tools/dump_views.ts, our data
  order too), two views per image (`ContrastiveTransformations`);
- the `SimCLR` module: torchvision's ResNet-18 (base width `--width`; 64 is torchvision's own)
  with the MLP head `Linear(512w/64, 4h) -> ReLU -> Linear(4h, h)`, `info_nce_loss` with its
  ranking metrics, AdamW with `CosineAnnealingLR(T_max=epochs, eta_min=lr/50)` stepped per
  epoch, validation on the labelled train split with the same transforms after every epoch
  and the best epoch by `val_acc_top5` kept (Lightning's `ModelCheckpoint(mode="max")`);
- `prepare_data_features` (ToTensor, Normalize; a `Resize` to the model's size first when the
  data is larger: PIL's antialiased bilinear for `pil` and `ours`, the float-tensor bilinear
  without antialias for `tensor`), features sorted by label;
- `train_logreg`: `nn.Linear`, AdamW (lr 1e-3, weight decay 1e-3), `MultiStepLR` at 60% and
  80% of 100 epochs, batch 64, the test accuracy every 10 epochs and the best epoch kept, on
  the first k images of each class (`get_smaller_dataset`).

`--method barlow|byol` trains the methods the tutorial points to next in its place, for the
same comparison with `deno task pretrain --method`: the ResNet-18 at `--width` and `--stem`
without its fc; Barlow Twins' projector (Linear-BN-ReLU twice, then Linear, no biases,
`--projector-dim` wide) and loss (tools/make_method_losses_fixtures.py, the authors' code);
BYOL's projector and predictor (Linear-BN-ReLU-Linear, hidden `--projector-dim`, output
`--hidden-dim`), its target network (moving average, tau from `--tau-base` to 1 by a cosine
over the steps) and loss. The same AdamW and schedule; the best epoch is the lowest
`val_loss` (`--last`: the last epoch). With `--aug ours --views-preset demo` they see the views
`deno task pretrain --data DIR` makes on the demo data:

    /usr/bin/python3 tools/tutorial_simclr.py --data .cache/demo-data-v3 --out runs/t-barlow \
        --method barlow --projector-dim 128 --width 8 --stem cifar --image-size 32 \
        --batch-size 64 --epochs 10 --lr 2e-3 --aug ours --views-preset demo --last \
        --sizes 10,20,50

Data: an STL10 folder as datasets/write_stl10.ts writes it (e.g. tools/write_digits_stl10.py):
SimCLR trains on its unlabeled split and validates on its train split, as the tutorial does.

    /usr/bin/python3 tools/tutorial_simclr.py --data .cache/digits-stl10 --out runs/torch-s1 \\
        --width 16 --image-size 32 --batch-size 64 --epochs 10 --seed 1
    /usr/bin/python3 tools/tutorial_simclr.py --data D --out O --probe-weights best.safetensors
    /usr/bin/python3 tools/tutorial_simclr.py --data D --out O --random-init --width 16 ...

Writes `--out`/result.json (probe accuracies, the last epoch's mean train loss, the validation
top-5, the history) and, after training or with `--random-init`, `--out`/weights.ckpt (the best
epoch's or the untrained weights under `convnet.`, as the tutorial's SimCLR.ckpt, so
`deno task probe --weights` reads them).
Seeded: `--seed` seeds initialisation, data order and augmentation (`seed_everything`), and
the probe (the tutorial seeds it with 42; the A/B varies it with the run).
"""

import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
import torch.utils.data as data
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import read_safetensors  # noqa: E402
from make_losses_fixtures import tutorial_info_nce  # noqa: E402
from make_method_losses_fixtures import barlow_twins, byol_loss  # noqa: E402
from make_mlp_head_fixtures import barlow_projector, byol_mlp  # noqa: E402
from make_models_fixtures import BasicBlock, narrow_resnet, tutorial_convnet  # noqa: E402

ROOT = os.path.dirname(HERE)


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def read_split(folder, name):
    """An STL10 split: uint8 [N, H, W, 3] and 0-based labels (None for unlabeled)."""
    size_path = os.path.join(folder, "image_size.txt")
    size = int(open(size_path).read().strip()) if os.path.exists(size_path) else 96
    raw = np.fromfile(os.path.join(folder, f"{name}_X.bin"), np.uint8)
    images = np.ascontiguousarray(np.transpose(raw.reshape(-1, 3, size, size), (0, 3, 2, 1)))
    y_path = os.path.join(folder, f"{name}_y.bin")
    labels = None
    if name != "unlabeled":
        labels = np.fromfile(y_path, np.uint8).astype(np.int64) - 1
    return images, labels


class ImageSplit(data.Dataset):
    """Images as PIL images (as torchvision's STL10 gives them) through a transform."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        label = -1 if self.labels is None else int(self.labels[i])
        return self.transform(Image.fromarray(self.images[i])), label


class ContrastiveTransformations:
    def __init__(self, base_transforms, n_views=2):
        self.base_transforms = base_transforms
        self.n_views = n_views

    def __call__(self, x):
        return [self.base_transforms(x) for i in range(self.n_views)]


def contrast_transforms(size, aug):
    jitter = T.RandomApply(
        [T.ColorJitter(brightness=0.5, contrast=0.5, saturation=0.5, hue=0.1)], p=0.8
    )
    if aug == "pil":  # the tutorial's, on PIL images
        return T.Compose([
            T.RandomHorizontalFlip(),
            T.RandomResizedCrop(size=size),
            jitter,
            T.RandomGrayscale(p=0.2),
            T.GaussianBlur(kernel_size=9),
            T.ToTensor(),
            T.Normalize((0.5,), (0.5,)),
        ])
    # the same on float tensors (torchvision's tensor ops; resize without antialias)
    return T.Compose([
        T.ToTensor(),
        T.RandomHorizontalFlip(),
        T.RandomResizedCrop(size=size, antialias=False),
        jitter,
        T.RandomGrayscale(p=0.2),
        T.GaussianBlur(kernel_size=9),
        T.Normalize((0.5,), (0.5,)),
    ])


def image_transforms(source, size, aug):
    """`img_transforms` of the probe, with a resize first when the model is smaller."""
    if source == size:
        return T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    if aug == "tensor":
        return T.Compose([
            T.ToTensor(), T.Resize((size, size), antialias=False), T.Normalize((0.5,), (0.5,))
        ])
    return T.Compose([T.Resize((size, size)), T.ToTensor(), T.Normalize((0.5,), (0.5,))])


class OurViews:
    """This project's views of every batch, epoch by epoch, from tools/dump_views.ts."""

    def __init__(self, args, n_unlabeled, n_val):
        self.args, self.n_unlabeled, self.n_val = args, n_unlabeled, n_val
        self.tmp = tempfile.mkdtemp(prefix="views-", dir=args.out)

    def _dump(self, epoch):
        a = self.args
        cmd = [
            "deno", "run", "-A", os.path.join(HERE, "dump_views.ts"), "--data", a.data,
            "--out", self.tmp, "--epoch", str(epoch), "--batch-size", str(a.batch_size),
            "--image-size", str(a.image_size), "--seed", str(a.seed), "--preset", a.views_preset,
        ] + (["--no-antialias"] if a.no_antialias else [])
        subprocess.run(cmd, check=True, cwd=ROOT)

    def epoch(self, epoch):
        """(train batches, validation batches): lists of NCHW float tensors, view-major."""
        self._dump(epoch)
        s, b = self.args.image_size, self.args.batch_size
        out = []
        v = min(b, self.n_val)  # pretrain's validation batches: not shuffled, last one short
        for name, sizes in [
            ("train", [b] * (self.n_unlabeled // b)),
            ("val", [v] * (self.n_val // v) + ([self.n_val % v] if self.n_val % v else [])),
        ]:
            path = os.path.join(self.tmp, f"{name}.f32")
            flat = np.fromfile(path, "<f4").reshape(-1, s, s, 3)
            os.remove(path)
            assert len(flat) == 2 * sum(sizes), (name, len(flat), sizes)
            batches, start = [], 0
            for k in sizes:
                x = torch.from_numpy(flat[start:start + 2 * k]).permute(0, 3, 1, 2).contiguous()
                batches.append(x)
                start += 2 * k
            out.append(batches)
        return out

    def close(self):
        os.rmdir(self.tmp)


def info_nce(model, imgs, temperature):
    loss, top1, top5, mean_pos = tutorial_info_nce(model(imgs), temperature)
    return loss, {"acc_top1": top1.item(), "acc_top5": top5.item(), "acc_mean_pos": mean_pos.item()}


def method_encoder(args):
    """The ResNet-18 at `--width` and `--stem` with fc = identity (512w/64-d features)."""
    net = narrow_resnet(BasicBlock, [2, 2, 2, 2], args.width, 1, args.stem)
    net.fc = nn.Identity()
    return net, 8 * args.width


class BarlowTwins(nn.Module):
    """facebookresearch/barlowtwins' model: backbone, projector (Linear-BN-ReLU twice, then
    Linear, no biases), the loss on the two views' projections."""

    def __init__(self, args):
        super().__init__()
        self.backbone, features = method_encoder(args)
        p = args.projector_dim
        self.projector = barlow_projector([features, p, p, p])
        self.lambd = args.lambd

    def forward(self, imgs):
        z = self.projector(self.backbone(imgs))
        n = z.shape[0] // 2
        loss, on_diag, off_diag = barlow_twins(z[:n], z[n:], self.lambd)
        return loss, {"on_diagonal": on_diag.item(), "off_diagonal": off_diag.item()}


class BYOL(nn.Module):
    """BYOL: online encoder + projector + predictor (Linear-BN-ReLU-Linear MLPs), a target
    network that is the online one's moving average (tau from `--tau-base` to 1 by a cosine
    over the steps of training), the symmetrised regression loss."""

    def __init__(self, args, total_steps):
        super().__init__()
        encoder, features = method_encoder(args)
        h, p = args.hidden_dim, args.projector_dim
        self.online = nn.Sequential(encoder, byol_mlp([features, p, h]))
        self.predictor = byol_mlp([h, p, h])
        self.target = copy.deepcopy(self.online)
        for param in self.target.parameters():
            param.requires_grad_(False)
        self.tau_base, self.total_steps, self.updates = args.tau_base, total_steps, 0

    def forward(self, imgs):
        predictions = self.predictor(self.online(imgs))
        targets = self.target(imgs)
        return byol_loss(predictions, targets), {}

    @torch.no_grad()
    def update_target(self):
        k = min(self.updates, self.total_steps)
        rate = (1 - self.tau_base) * (np.cos(np.pi * k / self.total_steps) + 1) / 2  # 1 - tau
        for t, o in zip(self.target.parameters(), self.online.parameters()):
            t.add_(o - t, alpha=rate)
        self.updates += 1


class SimCLRModel(nn.Module):
    """The tutorial's SimCLR module (convnet with its MLP head, `info_nce_loss`)."""

    def __init__(self, args):
        super().__init__()
        self.convnet = tutorial_convnet(args.hidden_dim, args.width)
        self.temperature = args.temperature

    def forward(self, imgs):
        return info_nce(self.convnet, imgs, self.temperature)


def encoder_of(model):
    """The network whose features the probe reads (its `fc` is dropped there)."""
    if isinstance(model, SimCLRModel):
        return model.convnet
    if isinstance(model, BarlowTwins):
        return model.backbone
    return model.online[0]


def train_simclr(args, unlabeled, val_images):
    """The tutorial's train_simclr, or (`--method`) Barlow Twins or BYOL in its place: returns
    (the best epoch's encoder, history, best record). SimCLR keeps the best `val_acc_top5`,
    the other methods the lowest `val_loss`."""
    seed_everything(args.seed)
    if args.method == "simclr":
        model = SimCLRModel(args)
    elif args.method == "barlow":
        model = BarlowTwins(args)
    else:
        model = BYOL(args, args.epochs * (len(unlabeled) // args.batch_size))
    trained = [q for q in model.parameters() if q.requires_grad]
    optimizer = optim.AdamW(trained, lr=args.lr, weight_decay=args.weight_decay)
    scheduler = optim.lr_scheduler.CosineAnnealingLR(
        optimizer, T_max=args.epochs, eta_min=args.lr / 50
    )
    ours = None
    if args.aug == "ours":
        ours = OurViews(args, len(unlabeled), len(val_images))
    else:
        views = ContrastiveTransformations(contrast_transforms(args.image_size, args.aug))
        train_loader = data.DataLoader(
            ImageSplit(unlabeled, None, views), batch_size=args.batch_size, shuffle=True,
            drop_last=True, num_workers=0,
        )
        val_loader = data.DataLoader(
            ImageSplit(val_images, None, views), batch_size=args.batch_size, shuffle=False,
            drop_last=False, num_workers=0,
        )
    history, best, best_state = [], None, None
    for epoch in range(args.epochs):
        started = time.time()
        if ours is not None:
            train_batches, val_batches = ours.epoch(epoch)
        else:
            train_batches = (torch.cat(imgs, dim=0) for imgs, _ in train_loader)
            val_batches = (torch.cat(imgs, dim=0) for imgs, _ in val_loader)
        model.train()
        sums, steps = {}, 0
        for imgs in train_batches:
            loss, metrics = model(imgs)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            if isinstance(model, BYOL):
                model.update_target()
            for k, v in {"loss": loss.item(), **metrics}.items():
                sums[k] = sums.get(k, 0.0) + v
            steps += 1
        record = {"epoch": epoch, "lr": optimizer.param_groups[0]["lr"]}
        record.update({f"train_{k}": v / steps for k, v in sums.items()})
        model.eval()
        vsums, count = {}, 0
        with torch.no_grad():
            for imgs in val_batches:
                n = imgs.shape[0] // 2  # Lightning weights a batch's mean by its batch size
                loss, metrics = model(imgs)
                for k, v in {"loss": loss.item(), **metrics}.items():
                    vsums[k] = vsums.get(k, 0.0) + v * n
                count += n
        record.update({f"val_{k}": v / count for k, v in vsums.items()})
        record["seconds"] = time.time() - started
        scheduler.step()
        if args.method == "simclr":
            better = best is None or record["val_acc_top5"] > best["val_acc_top5"]
        else:
            better = best is None or record["val_loss"] < best["val_loss"]
        if better:  # strictly
            best = record
            best_state = copy.deepcopy(model.state_dict())
        history.append(record)
        shown = "val_acc_top5" if args.method == "simclr" else "val_loss"
        print(
            f"epoch {epoch + 1}/{args.epochs}: train_loss {record['train_loss']:.4f}, "
            f"{shown} {record[shown]:.4f}, {record['seconds']:.1f} s",
            file=sys.stderr, flush=True,
        )
    if ours is not None:
        ours.close()
    if not args.last:
        model.load_state_dict(best_state)
    return encoder_of(model), history, best


@torch.no_grad()
def prepare_data_features(network, images, labels, transform):
    network = copy.deepcopy(network)
    network.fc = nn.Identity()  # Removing projection head g(.)
    network.eval()
    loader = data.DataLoader(
        ImageSplit(images, labels, transform), batch_size=64, shuffle=False, drop_last=False
    )
    feats, labs = [], []
    for x, y in loader:
        feats.append(network(x))
        labs.append(y)
    feats, labs = torch.cat(feats), torch.cat(labs)
    labs, idxs = labs.sort(stable=True)
    return feats[idxs], labs


def smaller(feats, labels, k):
    """get_smaller_dataset: the first k images of each class (features sorted by label)."""
    keep = torch.cat([torch.nonzero(labels == c).flatten()[:k] for c in labels.unique()])
    return feats[keep], labels[keep]


def train_logreg(train, test, seed, num_classes, max_epochs=100, lr=1e-3, weight_decay=1e-3,
                 batch_size=64):
    seed_everything(seed)
    model = nn.Linear(train[0].shape[1], num_classes)
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = optim.lr_scheduler.MultiStepLR(
        optimizer, milestones=[int(max_epochs * 0.6), int(max_epochs * 0.8)], gamma=0.1
    )
    loader = data.DataLoader(
        data.TensorDataset(*train), batch_size=batch_size, shuffle=True, drop_last=False
    )

    def acc(feats, labels):
        with torch.no_grad():
            return (model(feats).argmax(dim=-1) == labels).float().mean().item()

    best, best_state = None, None
    for epoch in range(max_epochs):
        for feats, labels in loader:
            loss = F.cross_entropy(model(feats), labels)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        scheduler.step()
        if (epoch + 1) % 10 == 0:  # check_val_every_n_epoch=10, ModelCheckpoint on val_acc
            test_acc = acc(*test)
            if best is None or test_acc > best:
                best, best_state = test_acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return {"train": acc(*train), "test": acc(*test)}


def probe(args, network, train_split, test_split, source_size):
    transform = image_transforms(source_size, args.image_size, args.aug)
    train = prepare_data_features(network, *train_split, transform)
    test = prepare_data_features(network, *test_split, transform)
    num_classes = int(max(train[1].max(), test[1].max())) + 1
    results = {}
    for k in args.sizes:
        results[str(k)] = train_logreg(smaller(*train, k), test, args.seed, num_classes)
        print(f"{k:4d} images per class: test {100 * results[str(k)]['test']:.2f}%",
              file=sys.stderr, flush=True)
    return results


def load_our_weights(network, path):
    """Our checkpoint's encoder (torchvision keys, PyTorch layouts) into `network`."""
    tensors, _ = read_safetensors.read(path)
    state = network.state_dict()
    loaded = 0
    for key, value in tensors.items():
        for prefix in ("", "encoder.", "convnet."):
            name = key[len(prefix):] if key.startswith(prefix) else None
            if name in state and not name.startswith("fc."):
                state[name] = value.to(state[name].dtype).reshape(state[name].shape)
                loaded += 1
                break
    expected = len([k for k in state if not k.startswith("fc.")])
    if loaded != expected:
        raise SystemExit(f"{path}: found {loaded} of the encoder's {expected} tensors")
    network.load_state_dict(state)


def save_weights(network, args):
    """`--out`/weights.ckpt: the weights under `convnet.`, as the tutorial's SimCLR.ckpt."""
    ckpt = {
        "state_dict": {f"convnet.{k}": v for k, v in network.state_dict().items()},
        "hyper_parameters": {
            "hidden_dim": args.hidden_dim, "lr": args.lr, "temperature": args.temperature,
            "weight_decay": args.weight_decay, "max_epochs": args.epochs,
        },
    }
    tmp = os.path.join(args.out, ".weights.ckpt.tmp")
    torch.save(ckpt, tmp)
    os.replace(tmp, os.path.join(args.out, "weights.ckpt"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="an STL10 folder")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--width", type=int, default=64)
    p.add_argument("--image-size", type=int, default=96)
    p.add_argument("--epochs", type=int, default=500)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--hidden-dim", type=int, default=128)
    p.add_argument("--lr", type=float, default=5e-4)
    p.add_argument("--temperature", type=float, default=0.07)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--aug", choices=["pil", "tensor", "ours"], default="pil")
    p.add_argument("--method", choices=["simclr", "barlow", "byol"], default="simclr")
    p.add_argument("--stem", choices=["imagenet", "cifar"], default="imagenet",
                   help="barlow, byol: the ResNet stem (simclr: the tutorial's imagenet)")
    p.add_argument("--projector-dim", type=int, default=512,
                   help="barlow: width of the projector's layers; byol: hidden width of the MLPs")
    p.add_argument("--lambda", dest="lambd", type=float, default=0.0051)
    p.add_argument("--tau-base", type=float, default=0.996)
    p.add_argument("--views-preset", choices=["demo", "tutorial"], default="tutorial",
                   help="with --aug ours: whose crop scale, hue and blur the views use")
    p.add_argument("--last", action="store_true", help="probe the last epoch, not the best")
    p.add_argument("--no-antialias", action="store_true",
                   help="with --aug ours: our views without antialias (today's float path)")
    p.add_argument("--sizes", default="10,50", help="images per class of the probes")
    p.add_argument("--threads", type=int, default=1, help="torch threads (1; 0: torch's default)")
    p.add_argument("--probe-weights", help="probe this checkpoint of ours instead of training")
    p.add_argument("--random-init", action="store_true", help="probe an untrained encoder")
    args = p.parse_args()
    args.sizes = [int(s) for s in args.sizes.split(",")]
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()

    train_split = read_split(args.data, "train")
    test_split = read_split(args.data, "test")
    source_size = train_split[0].shape[1]
    result = {"aug": args.aug, "seed": args.seed, "settings": {
        k: v for k, v in vars(args).items() if k not in ("out",)}}
    if args.probe_weights or args.random_init:
        seed_everything(args.seed)
        if args.method == "simclr":
            network = tutorial_convnet(args.hidden_dim, args.width)
        else:  # the methods' encoder (`--stem`), for their random-init baseline
            network = method_encoder(args)[0]
        if args.probe_weights:
            load_our_weights(network, args.probe_weights)
        else:
            save_weights(network, args)
    else:
        unlabeled, _ = read_split(args.data, "unlabeled")
        network, history, best = train_simclr(args, unlabeled, train_split[0])
        result.update({
            "final_train_loss": history[-1]["train_loss"],
            "final_val_acc_top5": history[-1].get("val_acc_top5"),
            "best_val_acc_top5": best.get("val_acc_top5"),
            "best_epoch": best["epoch"],
            "history": history,
        })
        save_weights(network, args)
    result["probe"] = probe(args, network, train_split, test_split, source_size)
    result["seconds"] = time.time() - started
    tmp = os.path.join(args.out, ".result.json.tmp")
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
    os.replace(tmp, os.path.join(args.out, "result.json"))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference for three BYOL training steps, made with torch 1.13 (Debian's /usr/bin/python3):
what no single-part fixture shows, the parts together (online network and predictor in
training mode, the target network's projections with its own batch statistics, the loss with
no gradient into the target, AdamW on the online network and the predictor only, then the
target's moving average with the cosine decay rate, step after step).

    /usr/bin/python3 tools/make_byol_steps_fixture.py [models/testdata/byol_steps.safetensors]

The networks are what `byolNet({ width: 2, hiddenDim: 8, projectorDim: 16, stem: "cifar" })`
builds: the ResNet-18 at width 2 with a CIFAR stem, projector and predictor
Linear-BatchNorm1d-ReLU-Linear (tools/tutorial_simclr.py's BYOL, the code of the learning
comparison), seeded. AdamW with lr 0.5, weight decay 0.1 and eps 1: so large an eps makes each
step about lr * gradient, where Adam's usual first steps move every weight by about +-lr
whatever its gradient, which would blow rounding up. Some gradients here are zero but for
rounding: the biases of the Linear layers before a BatchNorm (and of the projector's last one,
which the predictor's BatchNorm follows). And tau from 0.9 to 1 over the 3 steps (a decay far
below the paper's 0.996 so that the target visibly moves). Each step has its own
batch: 2 x 6 random normal images at 8 px, view-major.

Keys: `before.<key>` the state dict before the first step (our keys: the online network as
torchvision's with its projector under `fc.`, the predictor under `predictor.`, the target under
`target.`, `target_updates`; PyTorch layouts); `input.<step>` the step's NHWC views;
`after.<key>` the state dict after the three steps. Metadata: the loss of each step (`loss.0`,
...), lr, eps, weightDecay, tauBase, steps, width, hiddenDim, projectorDim, stem.
"""

import argparse
import os
import sys

import numpy as np
import torch
import torch.optim as optim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import read_safetensors  # noqa: E402
from tutorial_simclr import BYOL  # noqa: E402


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        HERE, "..", "models", "testdata", "byol_steps.safetensors")
    torch.manual_seed(7)
    steps, lr, eps, weight_decay = 3, 0.5, 1.0, 0.1
    args = argparse.Namespace(width=2, stem="cifar", hidden_dim=8, projector_dim=16, tau_base=0.9)
    model = BYOL(args, steps)
    model.train()

    def ours(key):
        """An online/target key (0.<encoder key>, 1.<projector key>) as byolNet names it."""
        return key[2:] if key.startswith("0.") else "fc." + key[2:]

    def state():
        s = {ours(k): v for k, v in model.online.state_dict().items()}
        s.update({"predictor." + k: v for k, v in model.predictor.state_dict().items()})
        s.update({"target." + ours(k): v for k, v in model.target.state_dict().items()})
        s["target_updates"] = torch.tensor(model.updates, dtype=torch.int32)
        return {k: v.detach().clone() for k, v in s.items()}

    tensors = {f"before.{k}": v for k, v in state().items()}
    trained = [q for q in model.parameters() if q.requires_grad]
    optimizer = optim.AdamW(trained, lr=lr, eps=eps, weight_decay=weight_decay)
    metadata = {"lr": lr, "eps": eps, "weightDecay": weight_decay, "tauBase": args.tau_base, "steps": steps,
                "width": args.width, "hiddenDim": args.hidden_dim,
                "projectorDim": args.projector_dim, "stem": args.stem, "torch": torch.__version__}
    for step in range(steps):
        views = torch.randn(12, 8, 8, 3)  # NHWC, view-major
        tensors[f"input.{step}"] = views
        loss, _ = model(views.permute(0, 3, 1, 2).contiguous())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        model.update_target()
        metadata[f"loss.{step}"] = float(loss.item())
    tensors.update({f"after.{k}": v for k, v in state().items()})
    read_safetensors.write(out, tensors, {k: str(v) for k, v in metadata.items()})
    print(f"wrote {out}: losses {[metadata[f'loss.{s}'] for s in range(steps)]}")


if __name__ == "__main__":
    main()

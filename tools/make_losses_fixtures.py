"""Golden values for @simclr/losses, made with the tutorial's own `info_nce_loss`.

Run with Debian's Python (it has torch 1.13):
    /usr/bin/python3 tools/make_losses_fixtures.py losses/testdata/info_nce.json

The loss code below is the tutorial's `SimCLR.info_nce_loss`, unchanged except that it
takes the features directly instead of encoding a batch of images.
"""

import sys

import torch
import torch.nn.functional as F

from _fixtures import f32, write_json_atomic


def tutorial_info_nce(feats, temperature):
    cos_sim = F.cosine_similarity(feats[:, None, :], feats[None, :, :], dim=-1)
    self_mask = torch.eye(cos_sim.shape[0], dtype=torch.bool, device=cos_sim.device)
    cos_sim.masked_fill_(self_mask, -9e15)
    pos_mask = self_mask.roll(shifts=cos_sim.shape[0] // 2, dims=0)
    cos_sim = cos_sim / temperature
    nll = -cos_sim[pos_mask] + torch.logsumexp(cos_sim, dim=-1)
    nll = nll.mean()
    comb_sim = torch.cat(
        [cos_sim[pos_mask][:, None], cos_sim.masked_fill(pos_mask, -9e15)],
        dim=-1,
    )
    sim_argsort = comb_sim.argsort(dim=-1, descending=True).argmin(dim=-1)
    top1 = (sim_argsort == 0).float().mean()
    top5 = (sim_argsort < 5).float().mean()
    mean_pos = 1 + sim_argsort.float().mean()
    return nll, top1, top5, mean_pos


def case(generator, pairs, dim, temperature, correlation):
    base = torch.randn(pairs, dim, generator=generator, dtype=torch.float64)
    noise = torch.randn(2 * pairs, dim, generator=generator, dtype=torch.float64)
    # Views of one image are correlated so that the ranks are not all trivial.
    feats = (torch.cat([base, base]) * correlation + noise).float().requires_grad_(True)
    loss, top1, top5, mean_pos = tutorial_info_nce(feats, temperature)
    loss.backward()
    return {
        "pairs": pairs,
        "dim": dim,
        "temperature": temperature,
        "features": f32(feats.detach().flatten().tolist()),
        "loss": loss.item(),
        "top1": top1.item(),
        "top5": top5.item(),
        "meanPos": mean_pos.item(),
        "grad": f32(feats.grad.flatten().tolist()),
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "losses/testdata/info_nce.json"
    generator = torch.Generator().manual_seed(0)
    cases = [
        case(generator, pairs, dim, temperature, correlation)
        for pairs, dim, temperature, correlation in [
            (2, 3, 0.07, 1.0),
            (4, 8, 0.07, 0.5),
            (8, 16, 0.07, 1.0),
            (16, 32, 0.5, 0.8),
            (32, 16, 0.1, 0.6),
            (24, 64, 1.0, 2.0),
        ]
    ]
    meta = {"torch": torch.__version__, "generator": "tools/make_losses_fixtures.py"}
    write_json_atomic(out, {"meta": meta, "cases": cases})


if __name__ == "__main__":
    main()

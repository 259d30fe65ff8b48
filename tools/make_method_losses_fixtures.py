"""Golden values for supCon, barlowTwins and byolLoss of @simclr/losses, from the official code.

Run with Debian's Python (it has torch 1.13):
    /usr/bin/python3 tools/make_method_losses_fixtures.py losses/testdata

Writes sup_con.json, barlow_twins.json and byol_loss.json into the folder. Each loss below is
its authors' code, transcribed; only the framework plumbing is left out:

- SupConLoss: HobbitLong/SupContrast, losses.py (Khosla et al., 2020), unchanged. Its
  features arrive L2-normalised (the SupCon model ends in F.normalize), so the fixtures
  normalise with F.normalize first, as our supCon() does inside.
- Barlow Twins: facebookresearch/barlowtwins, main.py, BarlowTwins.forward after the
  projector (self.bn is BatchNorm1d(affine=False) in training mode; one process, so the
  all_reduce of c is the identity).
- BYOL: deepmind/deepmind-research, byol/utils/helpers.py (l2_normalize, regression_loss) and
  byol/byol_experiment.py (the two symmetric terms, then the batch mean), in torch instead of
  JAX, stop_gradient as detach().
"""

import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

from _fixtures import f32, write_json_atomic


class SupConLoss(nn.Module):
    """Supervised Contrastive Learning: https://arxiv.org/pdf/2004.11362.pdf.
    It also supports the unsupervised contrastive loss in SimCLR"""

    def __init__(self, temperature=0.07, contrast_mode="all", base_temperature=0.07):
        super(SupConLoss, self).__init__()
        self.temperature = temperature
        self.contrast_mode = contrast_mode
        self.base_temperature = base_temperature

    def forward(self, features, labels=None, mask=None):
        device = torch.device("cuda") if features.is_cuda else torch.device("cpu")

        if len(features.shape) < 3:
            raise ValueError(
                "`features` needs to be [bsz, n_views, ...],"
                "at least 3 dimensions are required"
            )
        if len(features.shape) > 3:
            features = features.view(features.shape[0], features.shape[1], -1)

        batch_size = features.shape[0]
        if labels is not None and mask is not None:
            raise ValueError("Cannot define both `labels` and `mask`")
        elif labels is None and mask is None:
            mask = torch.eye(batch_size, dtype=torch.float32).to(device)
        elif labels is not None:
            labels = labels.contiguous().view(-1, 1)
            if labels.shape[0] != batch_size:
                raise ValueError("Num of labels does not match num of features")
            mask = torch.eq(labels, labels.T).float().to(device)
        else:
            mask = mask.float().to(device)

        contrast_count = features.shape[1]
        contrast_feature = torch.cat(torch.unbind(features, dim=1), dim=0)
        if self.contrast_mode == "one":
            anchor_feature = features[:, 0]
            anchor_count = 1
        elif self.contrast_mode == "all":
            anchor_feature = contrast_feature
            anchor_count = contrast_count
        else:
            raise ValueError("Unknown mode: {}".format(self.contrast_mode))

        # compute logits
        anchor_dot_contrast = torch.div(
            torch.matmul(anchor_feature, contrast_feature.T), self.temperature
        )
        # for numerical stability
        logits_max, _ = torch.max(anchor_dot_contrast, dim=1, keepdim=True)
        logits = anchor_dot_contrast - logits_max.detach()

        # tile mask
        mask = mask.repeat(anchor_count, contrast_count)
        # mask-out self-contrast cases
        logits_mask = torch.scatter(
            torch.ones_like(mask),
            1,
            torch.arange(batch_size * anchor_count).view(-1, 1).to(device),
            0,
        )
        mask = mask * logits_mask

        # compute log_prob
        exp_logits = torch.exp(logits) * logits_mask
        log_prob = logits - torch.log(exp_logits.sum(1, keepdim=True))

        # compute mean of log-likelihood over positive
        # modified to handle edge cases when there is no positives for an anchor point.
        mask_pos_pairs = mask.sum(1)
        mask_pos_pairs = torch.where(mask_pos_pairs < 1e-6, 1, mask_pos_pairs)
        mean_log_prob_pos = (mask * log_prob).sum(1) / mask_pos_pairs

        # loss
        loss = -(self.temperature / self.base_temperature) * mean_log_prob_pos
        loss = loss.view(anchor_count, batch_size).mean()

        return loss


def off_diagonal(x):
    # return a flattened view of the off-diagonal elements of a square matrix
    n, m = x.shape
    assert n == m
    return x.flatten()[:-1].view(n - 1, n + 1)[:, 1:].flatten()


def barlow_twins(z1, z2, lambd):
    """BarlowTwins.forward after the projector (batch_size = the per-process batch)."""
    bn = nn.BatchNorm1d(z1.shape[1], affine=False)  # training mode
    batch_size = z1.shape[0]
    # empirical cross-correlation matrix
    c = bn(z1).T @ bn(z2)
    # sum the cross-correlation matrix between all gpus
    c.div_(batch_size)
    on_diag = torch.diagonal(c).add_(-1).pow_(2).sum()
    off_diag = off_diagonal(c).pow_(2).sum()
    loss = on_diag + lambd * off_diag
    return loss, on_diag, off_diag


def l2_normalize(x, axis=None, epsilon=1e-12):
    square_sum = torch.sum(torch.square(x), dim=axis, keepdim=True)
    x_inv_norm = torch.rsqrt(torch.clamp(square_sum, min=epsilon))
    return x * x_inv_norm


def regression_loss(x, y):
    normed_x, normed_y = l2_normalize(x, axis=-1), l2_normalize(y, axis=-1)
    return torch.sum((normed_x - normed_y) ** 2, dim=-1)


def byol_loss(predictions, targets):
    """predictions = [online prediction_view1; prediction_view2], targets likewise."""
    n = predictions.shape[0] // 2
    p1, p2 = predictions[:n], predictions[n:]
    z1, z2 = targets[:n].detach(), targets[n:].detach()  # jax.lax.stop_gradient
    loss = regression_loss(p1, z2)
    loss = loss + regression_loss(p2, z1)
    return torch.mean(loss)


def correlated(generator, n_views, n, dim, correlation):
    base = torch.randn(n, dim, generator=generator, dtype=torch.float64)
    noise = torch.randn(n_views * n, dim, generator=generator, dtype=torch.float64)
    return (torch.cat([base] * n_views) * correlation + noise).float()


def sup_con_case(generator, n_views, n, dim, temperature, base_temperature, classes):
    feats = correlated(generator, n_views, n, dim, 1.0).requires_grad_(True)
    labels = None
    if classes is not None:
        labels = torch.randint(0, classes, (n,), generator=generator)
    unit = F.normalize(feats, dim=1)
    # ours is view-major [n_views * n, D]; SupConLoss wants [bsz, n_views, D]
    stacked = torch.stack(torch.split(unit, n), dim=1)
    loss = SupConLoss(temperature=temperature, base_temperature=base_temperature)(
        stacked, labels=labels
    )
    loss.backward()
    return {
        "nViews": n_views,
        "n": n,
        "dim": dim,
        "temperature": temperature,
        "baseTemperature": base_temperature,
        "labels": None if labels is None else labels.tolist(),
        "features": f32(feats.detach().flatten().tolist()),
        "loss": loss.item(),
        "grad": f32(feats.grad.flatten().tolist()),
    }


def barlow_case(generator, n, dim, lambd, correlation):
    feats = correlated(generator, 2, n, dim, correlation).requires_grad_(True)
    loss, on_diag, off_diag = barlow_twins(feats[:n], feats[n:], lambd)
    loss.backward()
    return {
        "n": n,
        "dim": dim,
        "lambda": lambd,
        "features": f32(feats.detach().flatten().tolist()),
        "loss": loss.item(),
        "onDiagonal": on_diag.item(),
        "offDiagonal": off_diag.item(),
        "grad": f32(feats.grad.flatten().tolist()),
    }


def byol_case(generator, n, dim, correlation):
    targets = correlated(generator, 2, n, dim, 1.0)
    # predictions near the other view's targets, so the loss is neither ~0 nor ~4
    swapped = torch.cat([targets[n:], targets[:n]])
    noise = torch.randn(2 * n, dim, generator=generator).float()
    predictions = (swapped * correlation + noise).requires_grad_(True)
    targets.requires_grad_(True)
    loss = byol_loss(predictions, targets)
    loss.backward()
    return {
        "n": n,
        "dim": dim,
        "predictions": f32(predictions.detach().flatten().tolist()),
        "targets": f32(targets.detach().flatten().tolist()),
        "loss": loss.item(),
        "grad": f32(predictions.grad.flatten().tolist()),
    }


def write(path, cases):
    meta = {"torch": torch.__version__, "generator": "tools/make_method_losses_fixtures.py"}
    write_json_atomic(path, {"meta": meta, "cases": cases})


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "losses/testdata"
    generator = torch.Generator().manual_seed(0)
    write(
        os.path.join(out, "sup_con.json"),
        [
            sup_con_case(generator, *args)
            for args in [
                # n_views, n, dim, temperature, base_temperature, classes (None: no labels)
                (2, 2, 3, 0.07, 0.07, None),
                (2, 8, 16, 0.07, 0.07, None),
                (2, 8, 16, 0.1, 0.07, 3),
                (2, 16, 32, 0.5, 0.5, 4),
                (3, 6, 8, 0.2, 0.07, 2),
                (4, 5, 8, 1.0, 1.0, None),
                (2, 12, 16, 0.07, 0.07, 1),  # every image of one class
                (2, 24, 64, 0.1, 0.1, 10),
            ]
        ],
    )
    write(
        os.path.join(out, "barlow_twins.json"),
        [
            barlow_case(generator, *args)
            for args in [
                # n, dim, lambda, correlation of the two views
                (2, 3, 0.0051, 1.0),
                (8, 16, 0.0051, 2.0),
                (16, 32, 0.0051, 0.5),
                (32, 8, 0.1, 3.0),
                (24, 64, 0.0051, 1.0),
            ]
        ],
    )
    write(
        os.path.join(out, "byol_loss.json"),
        [
            byol_case(generator, *args)
            for args in [
                # n, dim, correlation
                (1, 3, 1.0),
                (2, 4, 2.0),
                (8, 16, 1.0),
                (16, 32, 3.0),
                (24, 64, 0.5),
            ]
        ],
    )


if __name__ == "__main__":
    main()

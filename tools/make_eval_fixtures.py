"""Reference values for @simclr/eval's logistic-regression probe, computed with PyTorch.

Run with Debian's python (torch 1.13): /usr/bin/python3 tools/make_eval_fixtures.py
Writes eval/testdata/logreg.json: features, labels, initial weights, the per-epoch sample order
and, from a plain PyTorch loop that mirrors the tutorial's Lightning setup (nn.Linear,
F.cross_entropy, AdamW, MultiStepLR stepped per epoch, test accuracy every `eval_every` epochs,
best kept with a strict `>`), the per-epoch losses, the test accuracies and the kept weights.
"""

import os

import torch
import torch.nn as nn
import torch.nn.functional as F

from _fixtures import write_json_atomic

torch.manual_seed(0)
N_CLASSES, DIM, PER_CLASS_TRAIN, PER_CLASS_TEST = 4, 8, 10, 6
EPOCHS, BATCH, LR, WD, EVAL_EVERY = 10, 16, 0.02, 1e-3, 2
MILESTONES, GAMMA = [int(EPOCHS * 0.6), int(EPOCHS * 0.8)], 0.1

centers = torch.randn(N_CLASSES, DIM)


def make(per_class):
    feats = torch.cat([centers[c] + 1.2 * torch.randn(per_class, DIM) for c in range(N_CLASSES)])
    labels = torch.arange(N_CLASSES).repeat_interleave(per_class)
    return feats, labels


train_x, train_y = make(PER_CLASS_TRAIN)
test_x, test_y = make(PER_CLASS_TEST)
model = nn.Linear(DIM, N_CLASSES)
init_weight = model.weight.detach().t().contiguous().clone()  # [in, out]
init_bias = model.bias.detach().clone()
optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WD)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=MILESTONES, gamma=GAMMA)
gen = torch.Generator().manual_seed(1)
orders, losses, lrs, test_accs = [], [], [], {}
best_acc, best_epoch, best_state = -1.0, -1, None


def acc(x, y):
    with torch.no_grad():
        return (model(x).argmax(-1) == y).float().mean().item()


for epoch in range(EPOCHS):
    order = torch.randperm(len(train_x), generator=gen)
    orders.append(order.tolist())
    lrs.append(optimizer.param_groups[0]["lr"])
    total = 0.0
    for start in range(0, len(order), BATCH):
        idx = order[start:start + BATCH]
        loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(idx)
    losses.append(total / len(order))
    scheduler.step()
    if (epoch + 1) % EVAL_EVERY == 0:
        a = acc(test_x, test_y)
        test_accs[epoch] = a
        if a > best_acc:
            best_acc, best_epoch = a, epoch
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}

last_weight = model.weight.detach().t().clone()
last_bias = model.bias.detach().clone()
last_train_acc, last_test_acc = acc(train_x, train_y), acc(test_x, test_y)
model.load_state_dict(best_state)


def flat(t):
    return [float(v) for v in t.reshape(-1).tolist()]


out = {
    "numClasses": N_CLASSES, "dim": DIM, "epochs": EPOCHS, "batchSize": BATCH, "lr": LR,
    "weightDecay": WD, "evalEvery": EVAL_EVERY, "milestones": MILESTONES, "gamma": GAMMA,
    "trainFeatures": flat(train_x), "trainLabels": train_y.tolist(),
    "testFeatures": flat(test_x), "testLabels": test_y.tolist(),
    "initWeight": flat(init_weight), "initBias": flat(init_bias), "orders": orders,
    "expected": {
        "losses": losses, "lrs": lrs,
        "testAccuracies": {str(k): v for k, v in test_accs.items()},
        "bestEpoch": best_epoch, "trainAccuracy": acc(train_x, train_y),
        "testAccuracy": acc(test_x, test_y),
        "weight": flat(model.weight.detach().t()), "bias": flat(model.bias.detach()),
    },
    # The same run with the test measured only after the last epoch: the last weights are kept.
    "expectedLast": {
        "trainAccuracy": last_train_acc, "testAccuracy": last_test_acc,
        "weight": flat(last_weight), "bias": flat(last_bias),
    },
}
path = os.path.join(os.path.dirname(__file__), "..", "eval", "testdata", "logreg.json")
write_json_atomic(path, out)
print("wrote", path, "best epoch", best_epoch, "test accs", test_accs, "losses", losses[0], losses[-1])

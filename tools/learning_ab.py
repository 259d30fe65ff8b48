#!/usr/bin/python3
"""Learning A/B: the tutorial's pipeline in PyTorch (tools/tutorial_simclr.py) beside
`deno task pretrain` + `deno task probe` at the same settings, over several seeds, with swaps
of single parts to locate a gap. Prints mean +- sd of the probe's test accuracy, the last
epoch's mean train loss and the last validation top-5 for each pipeline, and whether ours is
within one pooled standard deviation of the tutorial's PIL pipeline.

One command reruns the whole table (the issue's settings are the defaults; the data is
written once by tools/write_digits_stl10.py when `--data` is absent):

    nice -n 10 /usr/bin/python3 tools/learning_ab.py --out runs/ab

Pipelines (`--pipelines`, comma-separated; default all but the random-init probes):

  torch-pil         the tutorial's: PIL transforms, its SimCLR module, loss, AdamW + cosine,
                    its feature extraction and logistic regression
  torch-tensor      the same transforms on float tensors (torchvision's tensor ops)
  ours              deno task pretrain --preset tutorial + deno task probe
  torch-ours-aug    swap: our augmentations (simclrViews, our data order) in PyTorch training
  ours-torch-probe  swap: our weights (from `ours`) probed by the PyTorch probe
  torch-ours-probe  swap: the PyTorch weights (from `torch-pil`) probed by `deno task probe`
  random-torch      the PyTorch probe of an untrained encoder
  random-ours       deno task probe --random-init
  random-torch-ours-probe  swap: PyTorch's untrained encoder (from `random-torch`) probed by
                    deno task probe

Each run lands in `--out`/<pipeline>/s<seed>/ with a summary.json; runs whose summary exists
are not repeated, so an interrupted A/B continues where it stopped and more seeds can be added.
`--repo DIR` runs `ours` from another checkout (e.g. an older commit, for a before/after
table); `--ours-flags "..."` adds flags to `deno task pretrain` (and names what differs);
`--no-antialias` gives torch-ours-aug our views as they were before antialiasing.
Our commands run with `--workers 1 --threads 1` and torch with one thread unless
`--parallel` (our auto parallelism, torch's default threads).
"""

import argparse
import json
import math
import os
import shlex
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = "/usr/bin/python3"
ALL = ["torch-pil", "torch-tensor", "ours", "torch-ours-aug", "ours-torch-probe",
       "torch-ours-probe", "random-torch", "random-ours", "random-torch-ours-probe"]
DEFAULT = ALL[:6]


def run(cmd, log, cwd=ROOT):
    print("  $ " + " ".join(shlex.quote(c) for c in cmd), file=sys.stderr, flush=True)
    with open(log, "a") as f:
        done = subprocess.run(cmd, cwd=cwd, stdout=f, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise SystemExit(f"failed ({done.returncode}): see {log}")


def write_json(path, value):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(value, f, indent=1)
    os.replace(tmp, path)


def torch_cmd(a, seed, out, *extra):
    return [PYTHON, os.path.join(HERE, "tutorial_simclr.py"), "--data", a.data, "--out", out,
            "--width", str(a.width), "--image-size", str(a.image_size),
            "--batch-size", str(a.batch_size), "--epochs", str(a.epochs), "--seed", str(seed),
            "--sizes", a.sizes, "--threads", "0" if a.parallel else "1", *extra]


def torch_summary(out):
    r = json.load(open(os.path.join(out, "result.json")))
    return {"probe": {k: v["test"] for k, v in r["probe"].items()},
            "final_train_loss": r.get("final_train_loss"),
            "final_val_acc_top5": r.get("final_val_acc_top5")}


def deno(a, script):
    return ["deno", "run", "-A", os.path.join(a.repo, "examples", script)]


def parallel_flags(a):
    return [] if a.parallel else ["--workers", "1", "--threads", "1"]


def ours_probe(a, seed, out, *encoder):
    return [*deno(a, "probe.ts"), *encoder, "--data", a.data, "--sizes", a.sizes,
            "--seed", str(seed), "--out", os.path.join(out, "probe"),
            "--cache", os.path.join(out, "cache")]


def ours_summary(out, pretrain_dir=None):
    probe = json.load(open(os.path.join(out, "probe", "probe.json")))
    summary = {"probe": {k: v["test"] for k, v in probe["results"].items()},
               "final_train_loss": None, "final_val_acc_top5": None}
    if pretrain_dir:
        epochs = [json.loads(line) for line in open(os.path.join(pretrain_dir, "metrics.jsonl"))]
        last = [e for e in epochs if e.get("kind") == "epoch"][-1]
        summary["final_train_loss"] = last["train_loss"]
        summary["final_val_acc_top5"] = last.get("val_acc_top5")
    return summary


def run_one(a, pipeline, seed):
    out = os.path.join(a.out, pipeline, f"s{seed}")
    done = os.path.join(out, "summary.json")
    if os.path.exists(done):
        return json.load(open(done))
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "log.txt")
    started = time.time()
    print(f"{pipeline} seed {seed}", file=sys.stderr, flush=True)
    if pipeline in ("torch-pil", "torch-tensor", "torch-ours-aug"):
        aug = {"torch-pil": "pil", "torch-tensor": "tensor", "torch-ours-aug": "ours"}[pipeline]
        extra = ["--no-antialias"] if aug == "ours" and a.no_antialias else []
        run(torch_cmd(a, seed, out, "--aug", aug, *extra), log)
        summary = torch_summary(out)
    elif pipeline == "ours":
        pretrain = os.path.join(out, "pretrain")
        run([*deno(a, "pretrain.ts"), "--preset", "tutorial", "--data", a.data,
             "--width", str(a.width), "--image-size", str(a.image_size),
             "--batch-size", str(a.batch_size), "--epochs", str(a.epochs), "--seed", str(seed),
             "--out", pretrain, *parallel_flags(a), *shlex.split(a.ours_flags)], log, a.repo)
        run(ours_probe(a, seed, out, "--weights",
                       os.path.join(pretrain, "checkpoints", "best.safetensors")), log, a.repo)
        summary = ours_summary(out, pretrain)
    elif pipeline == "ours-torch-probe":
        ours = run_one(a, "ours", seed)
        weights = os.path.join(a.out, "ours", f"s{seed}", "pretrain", "checkpoints",
                               "best.safetensors")
        run(torch_cmd(a, seed, out, "--probe-weights", weights), log)
        summary = {**torch_summary(out), "final_train_loss": ours["final_train_loss"],
                   "final_val_acc_top5": ours["final_val_acc_top5"]}
    elif pipeline == "torch-ours-probe":
        torch_run = run_one(a, "torch-pil", seed)
        weights = os.path.join(a.out, "torch-pil", f"s{seed}", "weights.ckpt")
        run(ours_probe(a, seed, out, "--weights", weights, "--width", str(a.width),
                       "--stem", "imagenet", "--image-size", str(a.image_size)), log, a.repo)
        summary = {**ours_summary(out), "final_train_loss": torch_run["final_train_loss"],
                   "final_val_acc_top5": torch_run["final_val_acc_top5"]}
    elif pipeline == "random-torch":
        run(torch_cmd(a, seed, out, "--random-init"), log)
        summary = torch_summary(out)
    elif pipeline == "random-torch-ours-probe":
        run_one(a, "random-torch", seed)
        weights = os.path.join(a.out, "random-torch", f"s{seed}", "weights.ckpt")
        run(ours_probe(a, seed, out, "--weights", weights, "--width", str(a.width),
                       "--stem", "imagenet", "--image-size", str(a.image_size)), log, a.repo)
        summary = ours_summary(out)
    elif pipeline == "random-ours":
        run(ours_probe(a, seed, out, "--random-init", "--width", str(a.width), "--stem",
                       "imagenet", "--image-size", str(a.image_size)), log, a.repo)
        summary = ours_summary(out)
    else:
        raise SystemExit(f"--pipelines: unknown pipeline {pipeline!r}: expected one of {ALL}")
    summary["seconds"] = time.time() - started
    write_json(done, summary)
    return summary


def stats(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    mean = sum(values) / len(values)
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 \
        else float("nan")
    return mean, sd


def table(a, pipelines, seeds):
    rows = {}
    for p in pipelines:
        runs = [json.load(open(path)) for s in seeds
                if os.path.exists(path := os.path.join(a.out, p, f"s{s}", "summary.json"))]
        if runs:
            rows[p] = runs
    sizes = a.sizes.split(",")
    head = ["pipeline", "n"] + [f"{k} per class" for k in sizes] + ["final train loss",
                                                                     "val top-5"]
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for p, runs in rows.items():
        cells = [p, str(len(runs))]
        for k in sizes:
            m, sd = stats([100 * r["probe"][k] for r in runs])
            cells.append(f"{m:.1f} +- {sd:.1f}")
        for key, scale, digits in [("final_train_loss", 1, 3), ("final_val_acc_top5", 100, 1)]:
            m, sd = stats([r[key] * scale if r[key] is not None else None for r in runs])
            cells.append("" if m is None else f"{m:.{digits}f} +- {sd:.{digits}f}")
        lines.append("| " + " | ".join(cells) + " |")
    print(f"\nlearning A/B on {a.data}: width {a.width}, {a.image_size} px, batch {a.batch_size}, "
          f"{a.epochs} epochs, seeds {','.join(map(str, seeds))}"
          + (f", ours with {a.ours_flags}" if a.ours_flags else "")
          + f"; probe test accuracy in %, mean +- sd\n")
    print("\n".join(lines))
    if "ours" in rows and "torch-pil" in rows:
        print()
        for k in sizes:
            mo, so = stats([100 * r["probe"][k] for r in rows["ours"]])
            mt, st = stats([100 * r["probe"][k] for r in rows["torch-pil"]])
            pooled = math.sqrt((so ** 2 + st ** 2) / 2)
            verdict = "within" if abs(mo - mt) <= pooled else "NOT within"
            spread = "no wider" if so <= st else "wider"
            print(f"{k} per class: ours - torch-pil = {mo - mt:+.1f} points, pooled sd "
                  f"{pooled:.1f}: {verdict} one pooled sd; our spread {so:.1f} is {spread} than "
                  f"PyTorch's {st:.1f}")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", help="an STL10 folder (default: the digits, written once into "
                   ".cache/digits-stl10)")
    p.add_argument("--out", default="runs/ab", help="output folder (runs/ab)")
    p.add_argument("--seeds", default="1,2,3,4,5,6", help="comma-separated (1,...,6)")
    p.add_argument("--pipelines", default=",".join(DEFAULT), help=f"any of {','.join(ALL)}")
    p.add_argument("--width", type=int, default=16)
    p.add_argument("--image-size", type=int, default=32)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--sizes", default="10,50", help="probe sizes (10,50)")
    p.add_argument("--repo", default=ROOT, help="checkout whose commands `ours` runs")
    p.add_argument("--ours-flags", default="", help="extra flags for deno task pretrain")
    p.add_argument("--no-antialias", action="store_true",
                   help="torch-ours-aug with our views' float-tensor resize (before issue 13)")
    p.add_argument("--parallel", action="store_true",
                   help="our auto workers/threads and torch's default threads (default: 1 each)")
    p.add_argument("--table-only", action="store_true", help="print the table of what ran")
    a = p.parse_args()
    if a.data is None:
        a.data = os.path.join(ROOT, ".cache", "digits-stl10")
        if not os.path.exists(os.path.join(a.data, "test_y.bin")):
            subprocess.run([PYTHON, os.path.join(HERE, "write_digits_stl10.py"), a.data],
                           check=True)
    a.data, a.out, a.repo = os.path.abspath(a.data), os.path.abspath(a.out), \
        os.path.abspath(a.repo)
    seeds = [int(s) for s in a.seeds.split(",")]
    pipelines = a.pipelines.split(",")
    for name in pipelines:
        if name not in ALL:
            raise SystemExit(f"--pipelines: unknown pipeline {name!r}: expected one of {ALL}")
    if not a.table_only:
        for seed in seeds:
            for pipeline in pipelines:
                run_one(a, pipeline, seed)
    table(a, pipelines, seeds)


if __name__ == "__main__":
    main()

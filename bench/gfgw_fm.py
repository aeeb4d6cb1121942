"""GFGW-FM's one step against the one-step baselines and a multi-step flow, same budget.

    python tools/train.py configs/gfgw_fm.py                 # and each run below
    python bench/gfgw_fm.py [--runs gfgw_fm flow] [--num-samples 500] [--threads 1]

Every run trains the main job's 1.2M-parameter U-Net on the embedded MNIST-5k's 4,000 train
digits, 2,000 iterations x 64 = 128 kimg unless stated (one thread, bf16 autocast):

- ``gfgw_fm``: the seed's recipe (configs/gfgw_fm.py): one-step outputs coupled by entropic
  FGW (lambda 0.1 -> 0.125, epsilon 0.1 -> 0.087) against a 4,096-entry memory bank;
- ``exact_fgw``: the same with exact FGW (epsilon 0);
- ``nearest_in_plan``: exact FGW, each row trained towards the closest entry of its share of
  the plan instead of the plan's argmax;
- ``exact_ot``: the same generator and losses, exact OT between noise and data within the
  batch (OT-CFM's coupling), no bank;
- ``independent``: the same with independent pairs (no OT);
- ``flow``: plain flow matching (configs/fm_mnist_uncond.py), sampled with Euler at 1, 2
  and 20 steps;
- ``flow_same_time``: the same flow trained 8,000 iterations (512 kimg), about the wall time
  of a GFGW-FM run.

Each row samples the same ``--num-samples`` seeds (x0 fixed per seed) with the EMA weights
and is judged by DigitSampleMetric against the held-out digits no generator or judge trained
on: FD and KID in the digit classifier's features (the GFGW runs train on the *style*
classifier's features, not the judge's), k-NN precision / recall, class balance (entropy of
the predicted digits, 1 = uniform), and pixel-statistic ratios to real digits (1 = real;
speckle drives total variation and high-frequency share up). ``nn_train`` is the mean
distance (RMS per pixel) from each sample to its nearest training digit, beside that of
held-out digits (``nn_train`` of the ``real`` row): far below it means copies of the
training set. Training time is the run's logged seconds per iteration x iterations.
Prints a table; writes bench/results/gfgw_fm.json and gfgw_fm_samples.png.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from common import RESULTS, print_table, write_json  # noqa: E402

RUNS = {  # name: (config, NFEs sampled)
    "gfgw_fm": ("configs/gfgw_fm.py", (1, 2)),
    "exact_fgw": ("configs/ablations/gfgw_fm-exact_fgw.py", (1, 2)),
    "nearest_in_plan": ("configs/ablations/gfgw_fm-nearest_in_plan.py", (1, 2)),
    "exact_ot": ("configs/ablations/gfgw_fm-exact_ot.py", (1, 2)),
    "independent": ("configs/ablations/gfgw_fm-independent.py", (1, 2)),
    "flow": ("configs/fm_mnist_uncond.py", (1, 2, 20)),
    "flow_same_time": ("configs/ablations/fm_mnist_uncond-same_wall_time.py", (1, 2, 20)),
}
FIGURE_SAMPLES = 16
FIGURE_NPZ = os.path.join(RESULTS, "gfgw_fm_samples.npz")
COLUMNS = [
    "run", "nfe", "fd", "kid", "precision", "recall", "class_balance", "total_variation_ratio",
    "high_frequency_share_ratio", "mid_grey_fraction_ratio", "nn_train", "latency_ms",
    "train_min", "kimg",
]  # fmt: skip


def work_dir(config: str) -> str:
    return os.path.join(ROOT, "work_dirs", os.path.splitext(os.path.basename(config))[0])


def training_cost(config: str, batch_size: int) -> tuple[float | None, float | None]:
    """(minutes of training, kimg) from the run's newest scalars log."""
    logs = sorted(glob.glob(os.path.join(work_dir(config), "*", "vis_data", "scalars.json")))
    if not logs:
        return None, None
    records = [json.loads(line) for line in open(logs[-1]) if '"time"' in line]
    records = [r for r in records if "loss" in r]  # training, not val
    if not records:
        return None, None
    iters = records[-1]["iter"]
    seconds = float(np.mean([r["time"] for r in records])) * iters
    return seconds / 60, iters * batch_size / 1000


def nearest_train_distance(images: torch.Tensor, train: torch.Tensor) -> float:
    """Mean over images of the RMS pixel distance to the nearest training image."""
    d = torch.cdist(images.flatten(1).double(), train.flatten(1).double())  # (N, T)
    return float((d.min(1).values / images[0].numel() ** 0.5).mean())


def draw(model, nfe: int, num_samples: int) -> tuple[torch.Tensor, float]:
    """(samples (N, 1, 32, 32), latency ms per sample) with Euler over ``nfe`` steps."""
    from greenreg.registry import SOLVERS, TIME_GRIDS

    model.solver = SOLVERS.build(dict(type="EulerSolver"))
    model.time_grid = TIME_GRIDS.build(dict(type="UniformTimeGrid", num_steps=nfe))
    model.sample({}, seeds=[0])  # warm-up
    start, chunks = time.perf_counter(), []
    for first in range(0, num_samples, 100):
        chunks.append(model.sample({}, seeds=list(range(first, min(first + 100, num_samples)))))
    latency = 1000 * (time.perf_counter() - start) / num_samples
    return torch.cat(chunks).float().cpu(), latency


def score_run(name: str, num_samples: int, metric, train: torch.Tensor) -> list[dict]:
    from mmengine.config import Config
    from sample import load_model

    config, nfes = RUNS[name]
    cfg = Config.fromfile(os.path.join(ROOT, config))
    checkpoint = os.path.join(work_dir(config), f"iter_{cfg.train_cfg.max_iters}.pth")
    if not os.path.isfile(checkpoint):
        print(f"{name}: no {checkpoint}; train it first (python tools/train.py {config})")
        return []
    model = load_model(cfg, checkpoint, use_ema=True)
    minutes, kimg = training_cost(config, cfg.train_dataloader.batch_size)
    rows = []
    for nfe in nfes:
        images, latency = draw(model, nfe, num_samples)
        scores = metric.score(images, np.full(len(images), -1))
        rows.append(
            dict(
                run=name, nfe=nfe, **scores, nn_train=nearest_train_distance(images, train),
                latency_ms=latency, train_min=minutes, kimg=kimg,
                figure=images[:FIGURE_SAMPLES],
            )
        )  # fmt: skip
        print(f"{name} @ {nfe} NFE: FD {scores['fd']:.2f}, precision {scores['precision']:.2f}")
    return rows


def sample_figure(rows: list[dict], real: torch.Tensor, path: str) -> None:
    """One row per (run, NFE) of the first seeds' samples, real held-out digits on top."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = [("real (held out)", real[:FIGURE_SAMPLES])]
    shown += [(f"{r['run']} {r['nfe']} NFE", r["figure"]) for r in rows]
    fig, axes = plt.subplots(
        len(shown), FIGURE_SAMPLES, figsize=(FIGURE_SAMPLES * 0.6, len(shown) * 0.65)
    )
    for r, (label, images) in enumerate(shown):
        for c in range(FIGURE_SAMPLES):
            ax = axes[r, c]
            ax.imshow(images[c, 0].numpy(), cmap="gray", vmin=-1, vmax=1)
            ax.set_xticks([]), ax.set_yticks([])
            if c == 0:
                ax.set_ylabel(label, fontsize=6, rotation=0, ha="right", va="center")
    fig.tight_layout(pad=0.1)
    fig.subplots_adjust(left=0.14)  # room for the row labels
    fig.savefig(path, dpi=130)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", nargs="+", choices=sorted(RUNS), default=sorted(RUNS))
    parser.add_argument("--num-samples", type=int, default=500, help="= the real floor's size")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from greenreg.datasets import CaptionedDigitsDataset
    from greenreg.evaluation import DigitSampleMetric

    metric = DigitSampleMetric(source="mnist", image_size=32)
    train = CaptionedDigitsDataset("mnist", "train", 32).images.float()
    real_images = CaptionedDigitsDataset("mnist", "heldout", 32).images[500:].float()
    real = dict(run="real", nfe=None, nn_train=nearest_train_distance(real_images, train))
    real.update(metric.score(real_images, np.full(len(real_images), -1)))
    rows = merged(score_run(name, args.num_samples, metric, train) for name in args.runs)
    print_table([real] + rows, COLUMNS)
    figures = {f"{r['run']}@{r['nfe']}": r.pop("figure") for r in rows}
    write_json("gfgw_fm", dict(num_samples=args.num_samples, threads=args.threads, real=real,
                               rows=rows))  # fmt: skip
    # the figure's samples as 8-bit images, so later runs redraw it without resampling
    np.savez_compressed(FIGURE_NPZ, **{k: to_uint8(v) for k, v in figures.items()})
    for r in rows:
        r["figure"] = figures[f"{r['run']}@{r['nfe']}"]
    sample_figure(rows, real_images, os.path.join(RESULTS, "gfgw_fm_samples.png"))


def to_uint8(images: torch.Tensor) -> np.ndarray:
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).numpy()


def merged(fresh_runs) -> list[dict]:
    """This call's rows plus the saved rows (and figure samples) of runs not scored now."""
    fresh = [row for rows in fresh_runs for row in rows]
    done = {r["run"] for r in fresh}
    path = os.path.join(RESULTS, "gfgw_fm.json")
    saved = json.load(open(path))["rows"] if os.path.isfile(path) else []
    images = dict(np.load(FIGURE_NPZ)) if os.path.isfile(FIGURE_NPZ) else {}
    kept = []
    for r in saved:
        key = f"{r['run']}@{r['nfe']}"
        if r["run"] not in done and key in images:
            kept.append(dict(r, figure=torch.from_numpy(images[key]).float() / 127.5 - 1))
    rows = kept + fresh
    rows.sort(key=lambda r: (list(RUNS).index(r["run"]), r["nfe"]))
    return rows


if __name__ == "__main__":
    main()

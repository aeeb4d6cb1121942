"""Seed 001's question: which conditioner lets the flow draw shapes? Same budget for each.

    python bench/ablate_conditioners.py [--samples-per-digit 50] [--threads 2]
    python bench/ablate_conditioners.py --set seed_experiments   # main job vs ablations A, B

Trains configs/fm_pooledmlp.py, fm_gridquery.py and fm_convfield.py (identical but for the
conditioner: same data, backbone, losses, 1,200-iteration schedule and seed), then samples
``--samples-per-digit`` images per digit caption with the EMA weights and judges them with
the held-out digit classifier: accuracy for their caption and Frechet distance (FD) to
held-out real digits in the classifier's feature space. Prints a table, writes
bench/results/ablate_conditioners.json and a PNG of the three sample grids.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import RESULTS, environment, print_table, write_json  # noqa: E402
from mmengine.config import DictAction  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.engine.config_check import check_config  # noqa: E402

RECIPE_SETS = {
    # seed 001's diagnosis: conditioners with and without a spatial prior
    "conditioners": {
        "pooled-MLP": "configs/fm_pooledmlp.py",
        "grid-query": "configs/fm_gridquery.py",
        "conv-field": "configs/fm_convfield.py",
    },
    # seed 001's experiments A and B on the main job (C needs local VGG16 weights)
    "seed_experiments": {
        "main (grid-query)": "configs/fm_gridquery.py",
        "A: LR restarts": "configs/ablations/fm_lr_restart.py",
        "B: logSNR + curriculum": "configs/ablations/fm_logsnr_curriculum.py",
    },
}


def train_and_judge(
    config: str, work_dir: str, samples_per_digit: int, options: dict | None
) -> dict:
    """Trains one recipe with the Runner; returns its metrics.json plus the grid's path."""
    cfg = load_config(config, options)
    cfg.work_dir = work_dir
    cfg.experiment_name = f"ablate_{uuid.uuid4().hex[:6]}"
    cfg.val_dataloader.dataset.samples_per_digit = samples_per_digit
    cfg.default_hooks.logger.interval = 250
    check_config(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()
    with open(os.path.join(work_dir, "metrics.json")) as f:
        record = json.load(f)
    record["grid"] = os.path.join(work_dir, f"samples_ema_iter_{runner.iter}.png")
    record["params_conditioner"] = sum(
        p.numel() for p in runner.model.source.conditioner.parameters()
    )
    return record


def plot_grids(records: dict, path: str) -> None:
    """The three sample grids side by side, titled with their scores."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import mmcv

    fig, axes = plt.subplots(1, len(records), figsize=(4.2 * len(records), 5.4))
    for ax, (name, rec) in zip(axes, records.items()):
        ax.imshow(mmcv.imread(rec["grid"], channel_order="rgb"))
        m = rec["metrics"]
        ax.set_title(f"{name}\nacc {m['digits/accuracy']:.1f}%  FD {m['digits/fd']:.1f}")
        ax.axis("off")
    fig.suptitle("EMA samples, one row per digit caption (same budget, same seed)")
    fig.tight_layout(rect=(0, 0, 1, 0.93))
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main() -> None:
    """Train the three recipes, print and save the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples-per-digit", type=int, default=50)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work-dir", default="work_dirs/bench_ablate_conditioners")
    parser.add_argument("--set", default="conditioners", choices=list(RECIPE_SETS))
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    records = {}
    for name, config in RECIPE_SETS[args.set].items():
        work_dir = os.path.join(args.work_dir, os.path.basename(config)[:-3])
        records[name] = train_and_judge(config, work_dir, args.samples_per_digit, args.cfg_options)
    rows = [
        dict(
            recipe=name,
            accuracy_pct=r["metrics"]["digits/accuracy"],
            fd=r["metrics"]["digits/fd"],
            tv_ratio=r["metrics"].get("digits/total_variation_ratio"),
            background_ratio=r["metrics"].get("digits/background_level_ratio"),
            loss_flow_ema=r["losses_ema"].get("loss_flow_ema"),
            cond_params=r["params_conditioner"],
            train_s=r["train_time_s"],
        )
        for name, r in records.items()
    ]
    first = next(iter(records.values()))["metrics"]
    env = environment()
    n = first["digits/num_samples"]
    print(f"{env['device']}, torch threads {env['torch_threads']}, {n:.0f} samples each")
    columns = ["recipe", "accuracy_pct", "fd", "tv_ratio", "background_ratio", "loss_flow_ema"]
    print_table(rows, [*columns, "cond_params", "train_s"])
    print(
        f"real-data references: classifier accuracy {first['digits/accuracy_real']:.2f}%, "
        f"FD real-vs-held-out {first['digits/fd_real']:.2f} (the floor at this sample size)"
    )
    suffix = ("" if args.set == "conditioners" else f"_{args.set}") + (
        "_gpu" if torch.cuda.is_available() else "_cpu"
    )
    plot = os.path.join(RESULTS, f"ablate_conditioners{suffix}.png")
    os.makedirs(RESULTS, exist_ok=True)
    plot_grids(records, plot)
    path = write_json(
        f"ablate_conditioners{suffix}",
        dict(
            rows=rows,
            reference=dict(
                accuracy_real=first["digits/accuracy_real"], fd_real=first["digits/fd_real"]
            ),
            goal=dict(grid_query_accuracy_pct=90.0),
            cfg_options=args.cfg_options,
        ),
    )
    print(f"wrote {path} and {plot}")


if __name__ == "__main__":
    main()

"""Issue 5, figure 2: resumed vs straight runs, and the cost of getting back to the data.

    python bench/resume_exactness.py [--config configs/fm_gridquery.py] [--iters 200]

Trains ``--iters`` iterations straight, and ``--iters / 2`` then ``--resume`` to ``--iters``
in another work dir (the kill -9 variant is tests/engine/test_fast_resume.py), and reports
the largest absolute difference in weights, EMA weights and Adam moments (target 0). Then
times how long a resume at iteration ``--skip-iters`` takes to reach its next batch:
mmengine's replay (load every trained batch) against ResumableInfiniteSampler's skip.
Prints a table, writes bench/results/resume_exactness.json.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import torch  # noqa: E402
from _cli import load_config  # noqa: E402
from common import print_table, write_json  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.engine.checkpoint import load_checkpoint  # noqa: E402


def train(config: str, work_dir: str, iters: int, resume: bool = False) -> dict:
    """Runs the Runner to ``iters``; returns the final checkpoint."""
    cfg = load_config(config)
    cfg.work_dir, cfg.resume, cfg.log_level = work_dir, resume, "WARNING"
    cfg.train_cfg.max_iters = iters
    cfg.default_hooks.checkpoint.interval = iters
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.train_cfg.val_interval = 10**9
    Runner.from_cfg(cfg).train()
    return load_checkpoint(os.path.join(work_dir, f"iter_{iters}.pth"))


def max_difference(a: dict, b: dict) -> dict:
    """Largest |a - b| over weights, EMA weights and optimizer moments."""

    def biggest(xs, ys):
        return max(float((x.double() - y.double()).abs().max()) for x, y in zip(xs, ys))

    opt_a = [v for s in a["optimizer"]["state"].values() for v in s.values() if v.dim()]
    opt_b = [v for s in b["optimizer"]["state"].values() for v in s.values() if v.dim()]
    return dict(
        weights=biggest(a["state_dict"].values(), b["state_dict"].values()),
        ema=biggest(a["ema_state_dict"].values(), b["ema_state_dict"].values()),
        optimizer=biggest(opt_a, opt_b),
    )


def time_to_next_batch(config: str, skip_iters: int, by_index: bool) -> float:
    """Seconds to reach batch ``skip_iters`` + 1 of the train dataloader."""
    cfg = load_config(config)
    if not by_index:
        cfg.train_dataloader.sampler.type = "InfiniteSampler"
    loader = Runner.build_dataloader(cfg.train_dataloader, seed=0)
    start = time.perf_counter()
    if by_index:
        loader.sampler.skip_samples(skip_iters * loader.batch_size)
        it = iter(loader)
    else:
        it = iter(loader)
        for _ in range(skip_iters):
            next(it)
    next(it)
    return time.perf_counter() - start


def main() -> None:
    """Straight vs resumed, then replay vs skip."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/fm_gridquery.py")
    parser.add_argument("--iters", type=int, default=200)
    parser.add_argument("--skip-iters", type=int, default=20000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work-dir", default="work_dirs/bench_resume_exactness")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    straight = train(args.config, os.path.join(args.work_dir, "straight"), args.iters)
    resumed_dir = os.path.join(args.work_dir, "resumed")
    train(args.config, resumed_dir, args.iters // 2)
    resumed = train(args.config, resumed_dir, args.iters, resume=True)
    diff = max_difference(straight, resumed)
    rows = [dict(compared=k, max_abs_difference=v) for k, v in diff.items()]
    print(f"{args.config}: {args.iters} straight vs {args.iters // 2} + resume")
    print_table(rows, ["compared", "max_abs_difference"])
    timing = dict(
        replay_s=time_to_next_batch(args.config, args.skip_iters, by_index=False),
        skip_s=time_to_next_batch(args.config, args.skip_iters, by_index=True),
    )
    print(f"\nresuming at iteration {args.skip_iters}: time to the next batch")
    print_table([timing], ["replay_s", "skip_s"])
    path = write_json(
        "resume_exactness",
        dict(
            config=args.config,
            iters=args.iters,
            max_abs_difference=diff,
            skip_iters=args.skip_iters,
            **timing,
        ),  # fmt: skip
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

"""Seed 001's health check: can the model overfit 512 samples?

    python tools/overfit_check.py configs/fm_gridquery.py [--iters 300] [--work-dir DIR]

Trains on the first 512 training samples with twice the config's learning rate (constant
after a 50-iteration warm-up, no validation) and reports whether loss_flow fell by more
than 20% (mean of the first vs the last 10% of iterations). If it does not, suspect the
implementation or the data before tuning anything. Exit status 0 on pass, 1 on fail.
"""

from __future__ import annotations

import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input, load_config  # noqa: E402
from mmengine.config import DictAction  # noqa: E402

REQUIRED_DROP = 0.20


def overfit_config(cfg, iters: int, num_samples: int, work_dir: str):
    """The config turned into the overfit run (no val, one checkpoint at the end)."""
    cfg.work_dir = work_dir
    cfg.train_dataloader.dataset.num_samples = num_samples
    cfg.optim_wrapper.optimizer.lr *= 2
    warmup = min(50, iters // 4)
    cfg.param_scheduler = [
        dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=max(warmup, 1))
    ]
    cfg.train_cfg = dict(type="IterBasedTrainLoop", max_iters=iters, val_interval=iters + 1)
    for key in ("val_dataloader", "val_evaluator", "val_cfg"):
        cfg[key] = None
    cfg.default_hooks.checkpoint.interval = iters
    cfg.default_hooks.logger.interval = max(1, iters // 10)
    return cfg


def flow_drop(history_path: str) -> tuple[float, float, float]:
    """(first, last, relative drop) of loss_flow, each end the mean of 10% of iterations."""
    with open(history_path) as f:
        raw = json.load(f)["loss_flow"]["raw"]
    k = max(1, len(raw) // 10)
    first, last = sum(raw[:k]) / k, sum(raw[-k:]) / k
    return first, last, (first - last) / first


@exit_cleanly_on_bad_input
def main() -> None:
    """Run the overfit training and print the verdict."""
    parser = argparse.ArgumentParser(description="Overfit 512 samples as a health check.")
    parser.add_argument("config")
    parser.add_argument("--iters", type=int, default=300)
    parser.add_argument("--num-samples", type=int, default=512)
    parser.add_argument("--work-dir")
    parser.add_argument("--cfg-options", nargs="+", action=DictAction, metavar="KEY=VALUE")
    args = parser.parse_args()
    if args.iters < 10:
        raise ValueError(f"--iters: expected an int >= 10, got {args.iters}.")
    name = osp.splitext(osp.basename(args.config))[0]
    work_dir = args.work_dir or osp.join("work_dirs", f"{name}_overfit")
    cfg = overfit_config(
        load_config(args.config, args.cfg_options), args.iters, args.num_samples, work_dir
    )

    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    import greenreg  # noqa: F401
    from greenreg.engine.config_check import check_config

    init_default_scope(cfg.get("default_scope", "greenreg"))
    check_config(cfg)
    Runner.from_cfg(cfg).train()
    first, last, drop = flow_drop(osp.join(work_dir, "loss_history.json"))
    passed = drop > REQUIRED_DROP
    verdict = dict(loss_flow_first=first, loss_flow_last=last, drop=drop, passed=passed)
    with open(osp.join(work_dir, "overfit_check.json"), "w") as f:
        json.dump(verdict, f, indent=2)
    print(
        f"overfit check: loss_flow {first:.4f} -> {last:.4f} ({drop:+.1%} drop, need > "
        f"{REQUIRED_DROP:.0%}): {'PASS' if passed else 'FAIL'}"
    )
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()

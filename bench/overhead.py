"""Framework overhead: greenreg's Runner vs a bare PyTorch loop on the same model and batches.

    python bench/overhead.py [--config configs/fm_gridquery.py] [--iters 100] [--threads 2]

The Runner runs without TensorStatsHook, and a third run with it (interval 50, as the
recipes have it on): the difference is the statistics hook's cost per step, also timed
directly on the model's loss.

Both do the same work per step: forward with the same batch (and the same loss-weight
schedule), backward, grad clip 1.0, AdamW, and an EMA update of every parameter (the bare loop
uses the same annealed-momentum formula); the bare loop has no LR schedule. The Runner adds
mmengine's hooks as the config has them (logging, LR schedule, EMA, loss EMA logs, RNG
capture); periodic checkpoints, the final one (``save_last``, which the last timed step would
otherwise pay: ~0.8 s, 5-7% of a 100-step window) and validation are left out. Both loops
fetch batches the same way: the config's sampler order and its collate function
(``greenreg.batched_collate``: one tensor index per field). Iterations/s are timed after
``--warmup`` steps; the two are run alternately ``--repeats`` times, median kept.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tools"))

import torch  # noqa: E402
from common import bare_train_step, environment, print_table, write_json  # noqa: E402
from mmengine.hooks import Hook  # noqa: E402
from mmengine.registry import init_default_scope  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

import greenreg  # noqa: E402, F401
from greenreg.registry import DATASETS, HOOKS, MODELS  # noqa: E402

GOAL = 0.97  # Runner throughput / bare loop throughput


@HOOKS.register_module()
class StepTimerHook(Hook):
    """Records the wall clock after every training step (bench only)."""

    priority = "LOWEST"

    def __init__(self) -> None:
        self.stamps: list[float] = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None) -> None:
        """Stamps the end of a step."""
        self.stamps.append(time.perf_counter())


def steps_per_second(stamps: list[float], warmup: int) -> float:
    """Steps per second over the stamps after ``warmup`` steps."""
    timed = stamps[warmup:]
    return (len(timed) - 1) / (timed[-1] - timed[0])


def median_step_rate(stamps: list[float], warmup: int) -> float:
    """1 / the median step time after ``warmup`` steps: robust to bursts of other work."""
    timed = stamps[warmup:]
    return 1 / statistics.median(b - a for a, b in zip(timed, timed[1:]))


def runner_run(cfg_path: str, iters: int, work_dir: str, stats: bool = False) -> list[float]:
    """Trains with the Runner (with TensorStatsHook if ``stats``); returns step time stamps."""
    from _cli import load_config

    cfg = load_config(cfg_path)
    cfg.work_dir = work_dir
    cfg.experiment_name = f"overhead_{uuid.uuid4().hex[:6]}"
    cfg.train_cfg = dict(type="IterBasedTrainLoop", max_iters=iters, val_interval=iters + 1)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.default_hooks.checkpoint = dict(
        type="CheckpointHook", interval=iters + 1, by_epoch=False, save_last=False
    )
    cfg.custom_hooks = [
        h for h in cfg.custom_hooks if h["type"] not in ("SampleGridHook", "MetricsJsonHook")
    ]
    cfg.custom_hooks.append(dict(type="StepTimerHook"))
    if not stats:  # the recipes have it on (interval 50): the plain Runner runs without it
        cfg.custom_hooks = [h for h in cfg.custom_hooks if h["type"] != "TensorStatsHook"]
    cfg.log_level = "WARNING"
    runner = Runner.from_cfg(cfg)
    runner.train()
    return next(h for h in runner.hooks if isinstance(h, StepTimerHook)).stamps


def bare_run(cfg_path: str, iters: int, seed: int = 0) -> list[float]:
    """The same training in a plain loop; returns per-step time stamps."""
    from _cli import load_config
    from mmengine.dataset.sampler import InfiniteSampler
    from mmengine.registry import FUNCTIONS

    from greenreg.schedules import TrainProgress

    cfg = load_config(cfg_path)
    torch.manual_seed(seed)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model = MODELS.build(cfg.model).to(device)
    ema = [p.detach().clone() for p in model.parameters()]
    opt_cfg = cfg.optim_wrapper.optimizer
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=opt_cfg.lr, betas=opt_cfg.betas, weight_decay=opt_cfg.weight_decay
    )
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    loader = torch.utils.data.DataLoader(
        dataset,
        batch_size=cfg.train_dataloader.batch_size,
        sampler=InfiniteSampler(dataset, shuffle=True, seed=seed),
        collate_fn=FUNCTIONS.get(cfg.train_dataloader.collate_fn.type),  # as the Runner does
    )
    stamps = []
    batches = iter(loader)
    model.train()
    size = cfg.train_dataloader.batch_size
    for step in range(iters):
        batch = next(batches)
        batch = {k: v.to(device) for k, v in batch.items()}
        bare_train_step(model, optimizer, batch, TrainProgress(step, step * size))
        momentum = max(0.001, 20 / (20 + step + 1))
        torch._foreach_lerp_(ema, [p.detach() for p in model.parameters()], momentum)
        stamps.append(time.perf_counter())
    return stamps


def record_cost_ms(cfg_path: str, repeats: int = 60) -> tuple[float, float]:
    """(ms a recorded step adds, ms an unrecorded one adds) by TensorStatsHook, timed directly.

    The training step's loss with the hook subscribed, armed (a recorded iteration: device
    statistics, one transfer, one JSON line) or idle, against the loss without the hook.
    """
    import tempfile

    from _cli import load_config

    from greenreg.engine.hooks import TensorStatsHook
    from greenreg.schedules import TrainProgress

    cfg = load_config(cfg_path)
    model = MODELS.build(cfg.model).train()
    data = DATASETS.build(cfg.train_dataloader.dataset)
    size = cfg.train_dataloader.batch_size
    batch = dict(inputs=data.images[:size], tokens=data.tokens[:size], label=data.labels[:size])

    def one(mode: str) -> float:
        start = time.perf_counter()
        if mode == "armed":
            hook.arm(0, 1e-3)
        losses = model.loss(batch, TrainProgress(0, 0))
        hook.write_pending(dict(loss=sum(losses.values()).detach()))
        return time.perf_counter() - start

    hook = TensorStatsHook(interval=1)
    hook.attach(model, os.path.join(tempfile.mkdtemp(), "stats.jsonl"))
    bare_model = MODELS.build(cfg.model).train()
    bare_model.load_state_dict(model.state_dict())
    times = dict(bare=[], idle=[], armed=[])
    with torch.no_grad():
        for _ in range(3):
            one("armed")  # warm-up
        for _ in range(repeats):  # interleaved, so drifts in machine load cancel
            start = time.perf_counter()
            bare_model.loss(batch, TrainProgress(0, 0))
            times["bare"].append(time.perf_counter() - start)
            times["idle"].append(one("idle"))
            times["armed"].append(one("armed"))
    bare, idle, armed = (statistics.median(times[k]) for k in ("bare", "idle", "armed"))
    hook.detach()
    return 1000 * (armed - bare), 1000 * (idle - bare)


def summary_row(loop: str, runs: list[list[float]], warmup: int) -> dict:
    """Median over runs of the throughput (mean step) and of the median step's rate."""
    rates = [steps_per_second(stamps, warmup) for stamps in runs]
    medians = [median_step_rate(stamps, warmup) for stamps in runs]
    return dict(
        loop=loop,
        it_per_s=statistics.median(rates),
        median_step_it_per_s=statistics.median(medians),
        runs=", ".join(f"{v:.3f}" for v in rates),
    )


def main() -> None:
    """Alternate bare and Runner runs; print and save the median throughputs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/fm_gridquery.py")
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--work-dir", default="work_dirs/bench_overhead")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    init_default_scope("greenreg")
    bare, framework, with_stats = [], [], []
    for _ in range(args.repeats):
        bare.append(bare_run(args.config, args.iters))
        framework.append(runner_run(args.config, args.iters, args.work_dir))
        with_stats.append(runner_run(args.config, args.iters, args.work_dir, stats=True))
    rows = [
        summary_row("bare PyTorch", bare, args.warmup),
        summary_row("greenreg Runner", framework, args.warmup),
        summary_row("Runner + TensorStatsHook(50)", with_stats, args.warmup),
    ]
    ratio = rows[1]["it_per_s"] / rows[0]["it_per_s"]
    median_ratio = rows[1]["median_step_it_per_s"] / rows[0]["median_step_it_per_s"]
    stats_ms = 1000 * (1 / rows[2]["it_per_s"] - 1 / rows[1]["it_per_s"])
    env = environment()
    print(f"{args.config}: {args.iters} iterations ({args.warmup} warm-up), {env['device']}")
    print(f"torch threads: {args.threads}")
    print_table(rows, ["loop", "it_per_s", "median_step_it_per_s", "runs"])
    print(f"Runner / bare throughput ratio: {ratio:.3f} (goal >= {GOAL})")
    print(
        f"Runner / bare median-step ratio: {median_ratio:.3f} (a shared CPU's bursts of "
        f"other work move the mean, rarely the median)"
    )
    print(f"TensorStatsHook(interval=50) cost: {stats_ms:+.2f} ms per step (end to end)")
    recorded_ms, idle_ms = record_cost_ms(args.config)
    print(
        f"TensorStatsHook timed directly: a recorded step +{recorded_ms:.2f} ms, an unrecorded "
        f"one {idle_ms:+.3f} ms; at interval 50: {recorded_ms / 50 + idle_ms:+.3f} ms per step"
    )
    suffix = "gpu" if torch.cuda.is_available() else "cpu"
    path = write_json(
        f"overhead_{suffix}",
        dict(
            config=args.config,
            iters=args.iters,
            warmup=args.warmup,
            threads=args.threads,
            repeats=args.repeats,
            rows=rows,
            ratio=ratio,
            median_step_ratio=median_ratio,
            tensor_stats_ms_per_step=stats_ms,
            tensor_stats_recorded_step_ms=recorded_ms,
            tensor_stats_unrecorded_step_ms=idle_ms,
            goal=GOAL,
        ),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()

"""Train a model from a config: ``python tools/train.py configs/fm_gridquery.py``.

Options follow mmengine's tools: ``--work-dir`` (default ``work_dirs/<config name>``),
``--resume [CHECKPOINT]`` (default: the work dir's last checkpoint), ``--amp``,
``--cfg-options key=value ...`` and ``--launcher``. Precedence: CLI > config file.

Exit status: 0 when training completes, 2 on bad input (one line, nothing written), 75 when
a SIGTERM, SIGINT or SIGUSR1 stopped the run after saving a checkpoint (PreemptionHook; run
again with ``--resume``).

Distributed: ``tools/dist_train.sh CONFIG NGPUS`` (torchrun) or ``tools/slurm_train.sh``; a
config with ``runner_type`` (e.g. ``FlexibleRunner`` for FSDP) is built by that runner.
"""

from __future__ import annotations

import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))

from _cli import exit_cleanly_on_bad_input, load_config  # noqa: E402
from mmengine.config import DictAction  # noqa: E402


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line arguments of the train tool."""
    parser = argparse.ArgumentParser(description="Train a greenreg model.")
    parser.add_argument("config", help="config file path")
    parser.add_argument("--work-dir", help="where logs and checkpoints go")
    parser.add_argument(
        "--resume",
        nargs="?",
        const="auto",
        default=None,
        metavar="CHECKPOINT",
        help="resume from CHECKPOINT, or from the work dir's latest checkpoint if none is given",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the earlier run in --work-dir (its checkpoints, logs, images); without "
        "it a fresh run refuses a work dir that holds another run's checkpoints",
    )
    parser.add_argument(
        "--amp",
        action="store_true",
        help="mixed precision: bf16 autocast on CPU or GPU (AutocastOptimWrapper)",
    )
    parser.add_argument(
        "--cfg-options",
        nargs="+",
        action=DictAction,
        metavar="KEY=VALUE",
        help="override config keys, e.g. train_cfg.max_iters=2000",
    )
    parser.add_argument(
        "--launcher",
        choices=["none", "pytorch", "slurm", "mpi"],
        default="none",
        help="job launcher for distributed training",
    )
    parser.add_argument("--local_rank", "--local-rank", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("LOCAL_RANK", str(args.local_rank))
    return args


def merge_args(cfg, args: argparse.Namespace):
    """Applies the CLI to the config (CLI wins)."""
    import torch

    cfg.launcher = args.launcher
    name = osp.splitext(osp.basename(args.config))[0]
    cfg.work_dir = args.work_dir or cfg.get("work_dir") or osp.join("work_dirs", name)
    if args.amp:
        cfg.optim_wrapper.type = "AutocastOptimWrapper"
        cfg.optim_wrapper.setdefault("dtype", "bfloat16")
    if args.overwrite and args.resume is not None:
        raise ValueError("--overwrite with --resume: expected one of them (replace or continue).")
    if args.resume == "auto":
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        from greenreg.engine.sharded_checkpoint import is_sharded_checkpoint

        if not (osp.isfile(args.resume) or is_sharded_checkpoint(args.resume)):
            raise FileNotFoundError(
                f"--resume {args.resume!r}: no such checkpoint; expected a checkpoint file or a "
                f"sharded checkpoint directory (FSDP)."
            )
        cfg.resume, cfg.load_from = True, args.resume
    share_data_order(cfg)
    if args.launcher != "none" and not torch.cuda.is_available():
        if args.launcher != "pytorch":
            raise ValueError(
                f"--launcher {args.launcher}: mmengine 0.10.7 binds every {args.launcher} "
                f"process to a CUDA device and none is available; expected --launcher pytorch "
                f"(tools/dist_train.sh) on CPUs."
            )
        # NCCL (default_runtime.py) needs GPUs; gloo is torch's CPU backend
        cfg.setdefault("env_cfg", dict())  # (ConfigDict.setdefault returns a copy: no chaining)
        cfg.env_cfg.setdefault("dist_cfg", dict())
        cfg.env_cfg.dist_cfg.backend = "gloo"
    return cfg


def share_data_order(cfg) -> None:
    """Gives the train sampler the run's seed when ranks draw different noise.

    With ``randomness.diff_rank_seed`` mmengine leaves the sampler's seed to a random draw
    broadcast from rank 0; the config's seed keeps the data order the same for any number
    of ranks (rank r of n takes positions r, r + n, ... of one permutation).
    """
    randomness = cfg.get("randomness") or {}
    sampler = (cfg.get("train_dataloader") or {}).get("sampler")
    if randomness.get("diff_rank_seed") and isinstance(sampler, dict):
        sampler.setdefault("seed", randomness.get("seed"))


def is_fsdp_strategy(strategy: dict) -> bool:
    """Whether ``strategy`` (a config dict) builds mmengine's FSDPStrategy or a subclass."""
    from mmengine._strategy import FSDPStrategy

    from greenreg.registry import STRATEGIES

    kind = strategy.get("type")
    cls = STRATEGIES.get(kind) if isinstance(kind, str) else kind
    return isinstance(cls, type) and issubclass(cls, FSDPStrategy)


def init_cpu_process_group(cfg) -> None:
    """Starts gloo for a torchrun launch without GPUs, before the runner would.

    mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device(LOCAL_RANK)`` and fails
    without a GPU; the runners skip it when a process group already exists. Its wrappers
    are told the device as a CUDA index (DDP ``device_ids=[LOCAL_RANK]``, which torch
    refuses for a CPU module; FSDP ``device_id=LOCAL_RANK``), so both are set for the CPU.

    Args:
        cfg (Config): the training config; ``env_cfg.dist_cfg`` is read, the model
            wrapper's device arguments are set in place.
    """
    import datetime

    import torch.distributed as dist

    dist_cfg = dict(cfg.env_cfg.dist_cfg)
    if "timeout" in dist_cfg:
        dist_cfg["timeout"] = datetime.timedelta(seconds=dist_cfg["timeout"])
    dist.init_process_group(**dist_cfg)
    strategy = cfg.get("strategy")
    if strategy is None:  # Runner: mmengine's DDP wrapper, its defaults but no device ids
        cfg.setdefault("model_wrapper_cfg", dict(type="MMDistributedDataParallel"))
        cfg.model_wrapper_cfg.setdefault("device_ids", None)
        cfg.model_wrapper_cfg.setdefault("broadcast_buffers", False)
        unused = cfg.get("find_unused_parameters", False)
        cfg.model_wrapper_cfg.setdefault("find_unused_parameters", unused)
    elif is_fsdp_strategy(strategy):
        if strategy.get("model_wrapper") is None:
            strategy.model_wrapper = dict()
        strategy.model_wrapper.setdefault("device_id", "cpu")


def check_resume_checkpoint(cfg, model) -> None:
    """Reads the checkpoint a resume would use and checks it fits ``model``.

    mmengine would silently start from scratch when the work dir holds no checkpoint, and
    would only find a damaged or foreign one after writing its logs; both are caught here.
    """
    from greenreg.engine.checkpoint import check_state_dict_fits
    from greenreg.engine.work_dir import checkpoint_to_resume, read_resume_point

    # the given checkpoint, or last_checkpoint's (the newest complete one if that is broken);
    # a sharded one is checked from its index, no shard read
    given = cfg.load_from
    point = read_resume_point(given) if given else checkpoint_to_resume(cfg.work_dir)
    cfg.load_from = point.path
    check_state_dict_fits(point.weights, model, f"checkpoint {point.path!r}")


def claim_work_dir(work_dir: str, overwrite: bool) -> None:
    """A fresh run refuses a work dir with another run's checkpoints, or clears it (--overwrite).

    Checked before anything is written; only rank 0 removes files.
    """
    from greenreg.engine.work_dir import check_work_dir_is_free, clear_previous_run

    if not overwrite:
        check_work_dir_is_free(work_dir)
    elif int(os.environ.get("RANK", "0")) == 0:
        removed = clear_previous_run(work_dir)
        if removed:
            print(f"--overwrite: removed the earlier run's {len(removed)} file(s) from {work_dir}")


@exit_cleanly_on_bad_input
def main() -> None:
    """Parse, check the config against the registries, then hand over to mmengine's Runner."""
    args = parse_args()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)

    import torch
    from mmengine.registry import RUNNERS, init_default_scope
    from mmengine.runner import Runner

    import greenreg  # noqa: F401  (registers greenreg's components)
    from greenreg.engine.config_check import check_config
    from greenreg.engine.work_dir import warn_if_little_space

    init_default_scope(cfg.get("default_scope", "greenreg"))
    # everything is checked before the Runner writes its first file into the work dir
    model = check_config(cfg)
    if cfg.get("resume"):
        check_resume_checkpoint(cfg, model)
    else:
        claim_work_dir(cfg.work_dir, args.overwrite)
    warn_if_little_space(cfg.work_dir, model)
    if args.launcher == "pytorch" and not torch.cuda.is_available():
        init_cpu_process_group(cfg)
    if "strategy" in cfg:  # Runner would ignore it; FlexibleRunner builds strategies (FSDP)
        cfg.setdefault("runner_type", "FlexibleRunner")
    # as mmpretrain's tools/train.py: `runner_type` picks the runner class
    runner = RUNNERS.build(cfg) if "runner_type" in cfg else Runner.from_cfg(cfg)
    runner.train()
    from greenreg.engine.hooks import EXIT_PREEMPTED, PreemptionHook

    if any(isinstance(h, PreemptionHook) and h.stopped_at for h in runner.hooks):
        if torch.distributed.is_initialized():  # leave together: torchrun stops the rest
            torch.distributed.barrier()  # when the first rank exits
        sys.exit(EXIT_PREEMPTED)  # checkpoint saved; tools/slurm_train.sh requeues on it


if __name__ == "__main__":
    main()

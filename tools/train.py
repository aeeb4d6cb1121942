"""Train a model from a config: ``python tools/train.py configs/fm_gridquery.py``.

Options follow mmengine's tools: ``--work-dir`` (default ``work_dirs/<config name>``),
``--resume [CHECKPOINT]`` (default: the work dir's last checkpoint), ``--amp``,
``--cfg-options key=value ...`` and ``--launcher``. Precedence: CLI > config file.
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
    cfg.launcher = args.launcher
    name = osp.splitext(osp.basename(args.config))[0]
    cfg.work_dir = args.work_dir or cfg.get("work_dir") or osp.join("work_dirs", name)
    if args.amp:
        cfg.optim_wrapper.type = "AutocastOptimWrapper"
        cfg.optim_wrapper.setdefault("dtype", "bfloat16")
    if args.resume == "auto":
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise FileNotFoundError(f"--resume {args.resume!r}: no such checkpoint file.")
        cfg.resume, cfg.load_from = True, args.resume
    return cfg


def check_resume_checkpoint(cfg, model) -> None:
    """Reads the checkpoint a resume would use and checks it fits ``model``.

    mmengine would silently start from scratch when the work dir holds no checkpoint, and
    would only find a damaged or foreign one after writing its logs; both are caught here.
    """
    from mmengine.runner import find_latest_checkpoint

    from greenreg.engine.checkpoint import check_state_dict_fits, load_checkpoint

    path = cfg.load_from or find_latest_checkpoint(cfg.work_dir)
    if path is None:
        raise FileNotFoundError(
            f"--resume: no checkpoint to resume in {cfg.work_dir!r}; expected a "
            f"'last_checkpoint' file from an earlier run, or pass --resume CHECKPOINT."
        )
    checkpoint = load_checkpoint(path)
    check_state_dict_fits(checkpoint.get("state_dict", {}), model, f"checkpoint {path!r}")


@exit_cleanly_on_bad_input
def main() -> None:
    """Parse, check the config against the registries, then hand over to mmengine's Runner."""
    args = parse_args()
    cfg = merge_args(load_config(args.config, args.cfg_options), args)

    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner

    import greenreg  # noqa: F401  (checkpoint allow-list)
    from greenreg.engine.config_check import check_config

    init_default_scope(cfg.get("default_scope", "greenreg"))
    # everything is checked before the Runner writes its first file into the work dir
    model = check_config(cfg)
    if cfg.get("resume"):
        check_resume_checkpoint(cfg, model)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == "__main__":
    main()

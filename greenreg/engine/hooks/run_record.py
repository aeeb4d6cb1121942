"""Writes how to reproduce a run: command, code version, packages, seeds, device."""

from __future__ import annotations

import json
import os
import platform
import socket
import subprocess
import sys
from importlib import metadata

import torch
from mmengine.dist import get_world_size, is_main_process
from mmengine.hooks import Hook

from greenreg.registry import HOOKS

PACKAGES = (
    "greenreg", "torch", "torchvision", "mmengine", "mmcv-lite", "mmcv", "numpy", "scipy",
    "pot", "kwant", "lpips", "einops", "safetensors",
)  # fmt: skip
ENVIRONMENT = (
    "OMP_NUM_THREADS", "CUDA_VISIBLE_DEVICES", "SLURM_JOB_ID", "SLURM_RESTART_COUNT",
    "WORLD_SIZE", "MASTER_ADDR",
)  # fmt: skip


def git_state(directory: str) -> dict | None:
    """The commit checked out at ``directory`` and whether tracked files differ from it."""

    def git(*args: str) -> str:
        out = subprocess.run(
            ["git", "-C", directory, *args], capture_output=True, text=True, timeout=10
        )
        if out.returncode:
            raise OSError(out.stderr.strip())
        return out.stdout.strip("\n")

    try:
        commit = git("rev-parse", "HEAD")
        changed = git("status", "--porcelain", "--untracked-files=no").splitlines()
    except (OSError, subprocess.SubprocessError):
        return None  # not a git checkout (an installed package), or no git
    return dict(commit=commit, dirty=bool(changed), changed_files=changed[:50])


def package_versions() -> dict[str, str]:
    """Installed versions of greenreg and what it runs on (absent ones left out)."""
    versions = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def device_description() -> dict:
    """Host, CPU, GPUs and thread settings."""
    cpu = platform.processor()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    gpus = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return dict(
        host=socket.gethostname(),
        cpu=cpu,
        cpu_count=os.cpu_count(),
        torch_threads=torch.get_num_threads(),
        gpus=gpus,
        environment={k: os.environ[k] for k in ENVIRONMENT if k in os.environ},
    )


@HOOKS.register_module()
class RunRecordHook(Hook):
    """Writes ``<work_dir>/<timestamp>/run_record.json`` when a run (or a resume) starts.

    Beside the resolved config mmengine already saves there: the command line and working
    directory, the git commit of the greenreg checkout and whether its tracked files were
    changed, the versions of greenreg, torch, mmengine, POT, kwant, ..., the seeds (the
    config's, every rank's under ``diff_rank_seed``, the train sampler's), the checkpoint
    a resume started from, and the device (host, CPU, GPUs, threads, launcher variables).
    Rank 0 writes it; one record per launch, so a resumed run keeps every record.

    Example:
        ``custom_hooks = [dict(type='RunRecordHook')]``
    """

    priority = "VERY_LOW"

    def before_run(self, runner) -> None:
        """Writes the record (rank 0)."""
        if not is_main_process():
            return
        record = dict(
            command=[sys.executable, *sys.argv],
            cwd=os.getcwd(),
            config=runner.cfg.filename,
            work_dir=os.path.abspath(runner.work_dir),
            resumed_from=runner.cfg.get("load_from") if runner.cfg.get("resume") else None,
            git=git_state(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
            packages=package_versions(),
            seeds=self._seeds(runner),
            device=device_description(),
        )
        os.makedirs(runner.log_dir, exist_ok=True)
        with open(os.path.join(runner.log_dir, "run_record.json"), "w") as f:
            json.dump(record, f, indent=2, default=str)

    @staticmethod
    def _seeds(runner) -> dict:
        randomness = dict(runner.cfg.get("randomness") or {})
        world_size = get_world_size()
        per_rank = [runner.seed + r for r in range(world_size)]
        sampler = (runner.cfg.get("train_dataloader") or {}).get("sampler") or {}
        return dict(
            seed=runner.seed,
            diff_rank_seed=bool(randomness.get("diff_rank_seed")),
            world_size=world_size,
            rank_seeds=per_rank if randomness.get("diff_rank_seed") else [runner.seed] * world_size,
            train_sampler_seed=sampler.get("seed"),
        )

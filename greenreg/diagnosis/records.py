"""Reads what a run leaves for diagnosis: TensorStatsHook's JSON lines and mmengine's scalars."""

from __future__ import annotations

import glob
import json
import math
import os
from dataclasses import dataclass, field

TENSOR_STATS_FILE = "tensor_stats.jsonl"
# what the user must add to the config when a work dir holds no records
HOOK_HINT = (
    "add dict(type='TensorStatsHook', interval=50) to custom_hooks (configs/_base_/"
    "default_runtime.py has it) and train again"
)


def num(value) -> float:
    """A recorded number as float: "nan"/"inf"/"-inf" strings and None become non-finite."""
    if value is None:
        return math.nan
    return float(value)


@dataclass
class RunRecords:
    """One training run as the diagnosis sees it.

    Attributes:
        work_dir (str): the run's work dir.
        schedule (dict): the ``{"kind": "schedule"}`` record (the last one, after a resume).
        steps (list[dict]): ``{"kind": "step"}`` records sorted by ``iter`` (0-based step).
        scalars (list[dict]): mmengine's logged scalars (``loss``, ``lr``, ...), each with
            ``step`` = mmengine's ``iter`` - 1 so it lines up with ``steps``; may be empty.
        scalars_path (str | None): the scalars.json read, None if there was none.
    """

    work_dir: str
    schedule: dict
    steps: list[dict]
    scalars: list[dict] = field(default_factory=list)
    scalars_path: str | None = None

    def iters(self) -> list[int]:
        """The recorded steps' iterations (0-based)."""
        return [s["iter"] for s in self.steps]

    def stat(self, tensor: str, name: str) -> list[float]:
        """One statistic (min, max, mean, std, nan, inf) of one tensor, per record."""
        return [num(s["tensors"][tensor][name]) for s in self.steps if tensor in s["tensors"]]

    def dtypes(self, tensor: str) -> set[str]:
        """Every dtype the tensor had in the records."""
        return {s["tensors"][tensor]["dtype"] for s in self.steps if tensor in s["tensors"]}

    def loss_curve(self) -> tuple[list[int], list[float]]:
        """(steps, losses): mmengine's logged loss when present, else the records' losses.

        mmengine logs the mean over ``log_processor.window_size`` iterations (1 logs each
        step's own loss); the records hold the raw loss of their step.
        """
        logged = [(s["step"], num(s["loss"])) for s in self.scalars if "loss" in s]
        if not logged:
            logged = [(s["iter"], num(s["loss"])) for s in self.steps]
        return [i for i, _ in logged], [v for _, v in logged]

    def lr_curve(self) -> tuple[list[int], list[float]]:
        """(steps, lrs), from the same source as :meth:`loss_curve`."""
        logged = [(s["step"], num(s["lr"])) for s in self.scalars if "lr" in s]
        if not logged:
            logged = [(s["iter"], num(s["lr"])) for s in self.steps]
        return [i for i, _ in logged], [v for _, v in logged]


def newest_scalars_file(work_dir: str) -> str | None:
    """``<work_dir>/<timestamp>/vis_data/scalars.json`` of the newest run, or None."""
    found = glob.glob(os.path.join(work_dir, "*", "vis_data", "scalars.json"))
    return max(found, key=os.path.getmtime) if found else None


def read_json_lines(path: str) -> list[dict]:
    """Every line of a JSON-lines file as a dict.

    Raises:
        ValueError: a line is not JSON; the message names the file and line.
    """
    records = []
    with open(path) as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                # a run killed mid-write leaves a partial last line: keep what came before
                if not f.readline():
                    break
                raise ValueError(f"{path}:{number}: not a JSON line ({err}).") from None
    return records


def load_run(work_dir: str) -> RunRecords:
    """Reads a work dir's tensor_stats.jsonl and its newest scalars.json.

    Args:
        work_dir (str): the run's work dir (``cfg.work_dir``).

    Returns:
        RunRecords: schedule, step records and logged scalars.

    Raises:
        FileNotFoundError: no such dir, or no tensor_stats.jsonl in it.
        ValueError: the file holds no schedule record or no step record.
    """
    if not os.path.isdir(work_dir):
        raise FileNotFoundError(f"work dir {work_dir!r}: no such directory.")
    path = os.path.join(work_dir, TENSOR_STATS_FILE)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"work dir {work_dir!r}: no {TENSOR_STATS_FILE}; {HOOK_HINT}.")
    records = read_json_lines(path)
    schedules = [r for r in records if r.get("kind") == "schedule"]
    # a resumed run appends: the latest record of a step wins
    steps = {r["iter"]: r for r in records if r.get("kind") == "step"}
    if not schedules or not steps:
        raise ValueError(
            f"{path}: holds {len(schedules)} schedule and {len(steps)} step records; expected "
            f"at least one of each (did training reach its first iteration?)."
        )
    scalars_path = newest_scalars_file(work_dir)
    scalars = []
    if scalars_path is not None:
        # validation lines carry neither a loss nor an iter: drop them before reading either
        logged = [r for r in read_json_lines(scalars_path) if "loss" in r and "iter" in r]
        scalars = [dict(r, step=r["iter"] - 1) for r in logged]
    return RunRecords(
        work_dir=work_dir,
        schedule=schedules[-1],
        steps=[steps[i] for i in sorted(steps)],
        scalars=scalars,
        scalars_path=scalars_path,
    )

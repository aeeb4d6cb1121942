"""A work dir belongs to one run: find its checkpoints, refuse to mix runs, resume safely."""

from __future__ import annotations

import logging
import os
import os.path as osp
import re
import shutil
from dataclasses import dataclass

from mmengine.logging import print_log
from torch import Tensor

from greenreg.engine.checkpoint import CheckpointError, load_checkpoint
from greenreg.engine.sharded_checkpoint import (
    is_sharded_checkpoint,
    load_sharded_extra,
    sharded_weight_shapes,
)

CHECKPOINT_NAME = re.compile(r"^(iter|epoch)_(\d+)\.pth$")
LAST_CHECKPOINT = "last_checkpoint"
# what a run writes at the top of its work dir besides checkpoints (--overwrite removes them)
RUN_OUTPUTS = re.compile(
    r"^(last_checkpoint|best_.*\.pth|metrics\.json|loss_history\.json|loss_curves\.png|"
    r"samples_.*\.png|tensor_stats\.jsonl|stats\.jsonl|\d{8}_\d{6})$"
)


def numbered_checkpoints(work_dir: str) -> list[str]:
    """``iter_N.pth`` / ``epoch_N.pth`` files or sharded directories, newest (highest N) first."""
    if not osp.isdir(work_dir):
        return []
    found = [
        (int(m.group(2)), name)
        for name in os.listdir(work_dir)
        if (m := CHECKPOINT_NAME.match(name))
    ]
    return [osp.join(work_dir, name) for _, name in sorted(found, reverse=True)]


def previous_run_files(work_dir: str) -> list[str]:
    """The checkpoints and ``last_checkpoint`` an earlier run left in ``work_dir``."""
    files = numbered_checkpoints(work_dir)
    if osp.isfile(osp.join(work_dir, LAST_CHECKPOINT)):
        files.append(osp.join(work_dir, LAST_CHECKPOINT))
    return files


def check_work_dir_is_free(work_dir: str) -> None:
    """Raises unless ``work_dir`` is new or holds no other run's checkpoints.

    Raises:
        FileExistsError: naming the work dir, its newest checkpoint and the three ways on.
    """
    previous = previous_run_files(work_dir)
    if previous:
        raise FileExistsError(
            f"--work-dir {work_dir!r}: holds another run's checkpoints "
            f"({osp.basename(previous[0])}, {len(previous)} file(s) in all); expected --resume to "
            f"continue that run, --overwrite to replace it, or another --work-dir."
        )


def clear_previous_run(work_dir: str) -> list[str]:
    """Removes what an earlier run wrote at the top of ``work_dir`` (``--overwrite``).

    Checkpoints, ``last_checkpoint``, metrics, curves, sample grids, statistics and the
    timestamped log folders; any other file is left where it is.

    Returns:
        list[str]: the names removed.
    """
    removed = []
    for name in sorted(os.listdir(work_dir)) if osp.isdir(work_dir) else []:
        if CHECKPOINT_NAME.match(name) or RUN_OUTPUTS.match(name):
            path = osp.join(work_dir, name)
            shutil.rmtree(path) if osp.isdir(path) else os.remove(path)
            removed.append(name)
    return removed


@dataclass
class ResumePoint:
    """Where ``--resume`` continues.

    Attributes:
        path (str): the checkpoint file or sharded directory.
        weights (dict[str, Tensor]): its trained weights; for a sharded checkpoint meta
            tensors of their full shapes, read from the index alone.
    """

    path: str
    weights: dict[str, Tensor]


def read_resume_point(path: str) -> ResumePoint:
    """Reads enough of the checkpoint at ``path`` to know it is complete and what it holds.

    Raises:
        FileNotFoundError: nothing at ``path``.
        CheckpointError: damaged, truncated, or not a checkpoint.
    """
    if is_sharded_checkpoint(path):  # the index and the small extra.pth; no shard is read
        load_sharded_extra(path)
        return ResumePoint(path, sharded_weight_shapes(path))
    if osp.isdir(path):
        raise CheckpointError(f"checkpoint {path!r}: a directory without a sharded checkpoint.")
    return ResumePoint(path, load_checkpoint(path).get("state_dict", {}))


def _try_read(path: str) -> ResumePoint | str:
    """The resume point at ``path``, or why there is none ("missing", "damaged (...)")."""
    if not osp.exists(path):
        return "missing"
    try:
        return read_resume_point(path)
    except (CheckpointError, FileNotFoundError) as err:
        return f"damaged ({str(err).split(': ', 1)[-1][:200]})"


def checkpoint_to_resume(work_dir: str) -> ResumePoint:
    """What ``--resume`` continues from: ``last_checkpoint``'s target, or the newest good one.

    A ``last_checkpoint`` that names a missing or damaged checkpoint falls back to the newest
    numbered checkpoint that loads, with a warning naming both.

    Raises:
        FileNotFoundError: no ``last_checkpoint`` and no numbered checkpoint, or none loads.
    """
    marker = osp.join(work_dir, LAST_CHECKPOINT)
    pointed = open(marker).read().strip() if osp.isfile(marker) else None
    problem = _try_read(pointed) if pointed else None
    if isinstance(problem, ResumePoint):
        return problem
    for candidate in numbered_checkpoints(work_dir):
        if candidate == pointed or not isinstance(point := _try_read(candidate), ResumePoint):
            continue
        if pointed:
            print_log(
                f"--resume: {LAST_CHECKPOINT} names {pointed!r}, which is {problem}; resuming "
                f"from {candidate!r}, the newest complete checkpoint in the work dir.",
                logger="current",
                level=logging.WARNING,
            )
        return point
    what = f"{LAST_CHECKPOINT} names {pointed!r}, which is {problem}, and " if pointed else ""
    raise FileNotFoundError(
        f"--resume: nothing to resume in {work_dir!r}: {what}no numbered checkpoint there "
        f"loads; expected a work dir of an earlier run, or pass --resume CHECKPOINT."
    )


def checkpoint_bytes_estimate(model) -> int:
    """Bytes one checkpoint of ``model`` takes: weights, EMA copy and AdamW's two moments.

    A rule of 4 x the model's parameter and buffer bytes (plus nothing for the small
    state: schedulers, RNG streams, logs); an optimizer with less state writes less.
    """
    tensors = list(model.parameters()) + list(model.buffers())
    return 4 * sum(t.numel() * t.element_size() for t in tensors)


def warn_if_little_space(work_dir: str, model) -> None:
    """Warns before training when the work dir's disk holds fewer than two checkpoints."""
    existing = work_dir
    while not osp.isdir(existing) and osp.dirname(existing) != existing:
        existing = osp.dirname(osp.abspath(existing))
    free = shutil.disk_usage(existing).free
    needed = 2 * checkpoint_bytes_estimate(model)
    if free < needed:
        print_log(
            f"work dir {work_dir!r}: {free:,} bytes free, less than two checkpoints "
            f"(~{needed // 2:,} bytes each: weights, EMA and AdamW's moments); a save may "
            f"fail for lack of space.",
            logger="current",
            level=logging.WARNING,
        )

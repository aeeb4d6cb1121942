"""Saves and restores the RNG streams, so a resumed run draws what a straight one would."""

from __future__ import annotations

import logging
import random

import numpy as np
import torch
import torch.distributed as dist
from mmengine.dist import get_rank, get_world_size
from mmengine.hooks import CheckpointHook, Hook
from mmengine.logging import print_log

from greenreg.engine.hooks.run_state import is_resuming
from greenreg.registry import HOOKS


def capture_rng_state() -> dict:
    """The state of Python's, numpy's, torch's CPU and (if present) CUDA generators.

    Only tensors and plain containers, so the weights-only loader reads it back.
    """
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state = dict(
        python=random.getstate(),
        numpy=dict(
            kind=kind,
            keys=torch.from_numpy(keys.astype(np.int64)),
            pos=int(pos),
            has_gauss=int(has_gauss),
            cached=float(cached),
        ),
        torch=torch.get_rng_state(),
    )
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def restore_rng_state(state: dict) -> None:
    """Restores what :func:`capture_rng_state` captured.

    The Runner may have loaded the checkpoint onto the GPU; RNG states must be CPU byte
    tensors, so every tensor is moved back first.
    """
    random.setstate(
        tuple(state["python"]) if isinstance(state["python"], list) else state["python"]
    )
    n = state["numpy"]
    keys = n["keys"].cpu().numpy().astype(np.uint32)
    np.random.set_state((n["kind"], keys, n["pos"], n["has_gauss"], n["cached"]))
    torch.set_rng_state(state["torch"].cpu())
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all([s.cpu() for s in state["cuda"]])


def checkpoint_due(runner) -> bool:
    """Whether a CheckpointHook of ``runner`` saves at the end of this training iteration.

    The same rule as mmengine 0.10.7's ``CheckpointHook.after_train_iter``.
    """
    for hook in runner.hooks:
        if isinstance(hook, CheckpointHook) and not hook.by_epoch:
            if hook.every_n_train_iters(runner, hook.interval, hook.save_begin) or (
                hook.save_last and hook.is_last_train_iter(runner)
            ):
                return True
    return False


def gather_rng_states() -> list[dict]:
    """Every rank's :func:`capture_rng_state`, in rank order (a collective: all ranks call it)."""
    states: list = [None] * get_world_size()
    dist.all_gather_object(states, capture_rng_state())
    return states


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Checkpoints the global RNG streams of every rank and restores them when a run resumes.

    mmengine re-seeds a resumed run from the config seed, so the noise, times and
    dropout drawn after a resume differ from those an uninterrupted run draws. The state
    is restored just before the first resumed step, after mmengine has rebuilt and
    fast-forwarded the dataloader (so randomness drawn while *loading* that first batch in
    the main process is not covered; greenreg's datasets draw none). Validation runs
    inside a saved-and-restored RNG state, so where and how often a run validates never
    shifts the training streams.

    Under DDP and FSDP each rank draws its own noise and times (``randomness =
    dict(diff_rank_seed=True)``), so each rank has its own streams. mmengine's Runner
    saves checkpoints on rank 0 alone, so the streams of all ranks are gathered at the end
    of every iteration a CheckpointHook saves in (``after_train_iter``, before the
    CheckpointHook's), and the checkpoint holds ``rng_state`` (rank 0's, as a
    one-process run writes it) and ``rng_state_per_rank`` (all of them, in rank order).
    A resume on the same number of ranks restores each rank's own streams; on another
    number it warns and continues from the re-seeded streams. A best-checkpoint saved
    after validation holds rank 0's streams only.

    Example:
        ``custom_hooks = [dict(type='RNGStateHook')]``
    """

    # after the other hooks' after_train_iter work, before CheckpointHook's ("VERY_LOW")
    priority = "LOW"

    def __init__(self) -> None:
        self._pending: dict | None = None
        self._before_val: dict | None = None
        self._gathered: list[dict] | None = None

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Gathers every rank's streams when a checkpoint follows (distributed runs only)."""
        if get_world_size() > 1 and checkpoint_due(runner):
            self._gathered = gather_rng_states()

    def gather_for_checkpoint(self) -> None:
        """Gathers every rank's streams now, for a save no CheckpointHook announced.

        A collective under DDP/FSDP (every rank calls it); PreemptionHook calls it before
        its own save.
        """
        if get_world_size() > 1:
            self._gathered = gather_rng_states()

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Adds ``checkpoint['rng_state']`` (and ``['rng_state_per_rank']`` when distributed)."""
        checkpoint["rng_state"] = capture_rng_state()
        if get_world_size() > 1:
            if self._gathered is None:
                print_log(
                    "RNGStateHook: this checkpoint was not announced by a CheckpointHook, "
                    "so only this rank's RNG streams are saved; a resume from it re-seeds "
                    "the other ranks.",
                    logger="current",
                    level=logging.WARNING,
                )
            else:
                checkpoint["rng_state_per_rank"] = self._gathered
        self._gathered = None

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keeps this rank's saved streams for the first resumed iteration."""
        # only a resume continues the streams; load_from (fine-tuning) starts afresh
        if not is_resuming(runner):
            return
        per_rank = checkpoint.get("rng_state_per_rank")
        world_size = get_world_size()
        if per_rank is not None and len(per_rank) == world_size:
            self._pending = per_rank[get_rank()]
        elif per_rank is None and world_size == 1:
            self._pending = checkpoint.get("rng_state")
        else:
            saved = 1 if per_rank is None else len(per_rank)
            print_log(
                f"RNGStateHook: the checkpoint holds the RNG streams of {saved} rank(s) and "
                f"this run has {world_size}; every rank continues from its re-seeded "
                f"streams, so the draws differ from those of an uninterrupted run.",
                logger="current",
                level=logging.WARNING,
            )

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Restores the saved streams once, right before the first resumed step."""
        if self._pending is not None:
            restore_rng_state(self._pending)
            self._pending = None

    def before_val_epoch(self, runner) -> None:
        """Sets the training streams aside (the val loader draws a seed from them)."""
        self._before_val = capture_rng_state()

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Puts the training streams back as they were before validation."""
        if self._before_val is not None:
            restore_rng_state(self._before_val)
            self._before_val = None

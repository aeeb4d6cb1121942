"""Saves and restores the RNG streams, so a resumed run draws what a straight one would."""

from __future__ import annotations

import random

import numpy as np
import torch
from mmengine.hooks import Hook

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


@HOOKS.register_module()
class RNGStateHook(Hook):
    """Checkpoints the global RNG streams and restores them when a run resumes.

    mmengine re-seeds a resumed run from the config seed, so the noise, times and
    dropout drawn after a resume differ from those an uninterrupted run draws. The state
    is restored just before the first resumed step, after mmengine has rebuilt and
    fast-forwarded the dataloader (so randomness drawn while *loading* that first batch in
    the main process is not covered; greenreg's datasets draw none). Validation runs
    inside a saved-and-restored RNG state, so where and how often a run validates never
    shifts the training streams.

    Example:
        ``custom_hooks = [dict(type='RNGStateHook')]``
    """

    priority = "VERY_LOW"

    def __init__(self) -> None:
        self._pending: dict | None = None
        self._before_val: dict | None = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Adds ``checkpoint['rng_state']``."""
        checkpoint["rng_state"] = capture_rng_state()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Keeps the saved state for the first resumed iteration."""
        # only a resume continues the streams; load_from (fine-tuning) starts afresh
        if is_resuming(runner):
            self._pending = checkpoint.get("rng_state")

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

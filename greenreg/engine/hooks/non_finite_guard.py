"""Skips optimizer steps with a non-finite loss or gradient, and stops a run that keeps failing."""

from __future__ import annotations

import math
import os

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import find_latest_checkpoint
from torch import Tensor

from greenreg.engine.hooks.tensor_stats import TensorStatsHook
from greenreg.registry import HOOKS


class NonFiniteTrainingError(RuntimeError):
    """Training produced non-finite losses or gradients more often than allowed."""


def non_finite_terms(outputs: dict | None) -> list[str]:
    """Names of the logged loss terms whose value is NaN or +-Inf."""
    bad = []
    for name, value in (outputs or {}).items():
        value = float(value.detach().float().mean()) if isinstance(value, Tensor) else value
        if isinstance(value, float) and not math.isfinite(value):
            bad.append(name)
    return bad


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Guards the optimizer step: a non-finite gradient (from a NaN/Inf loss or overflow) skips it.

    Before each ``optim_wrapper.step`` the guard checks every gradient with one fused
    norm and one host sync; a non-finite one skips the step (the weights and optimizer state
    stay as they were) and is logged. After ``max_consecutive_skips`` skipped steps in a row
    the run stops with NonFiniteTrainingError naming the loss term (or parameter), the
    iteration and the last good checkpoint, and the failing batch's statistics are written to
    ``<work_dir>/nonfinite_iter_<N>/tensor_stats.jsonl`` for ``tools/diagnose.py``. With an
    fp16 GradScaler, which skips overflowing steps itself, only the loss is watched.

    Args:
        max_consecutive_skips (int): skipped steps in a row tolerated, >= 0.

    Example:
        ``custom_hooks = [dict(type='NonFiniteGuardHook', max_consecutive_skips=3)]``
    """

    # after TensorStatsHook (NORMAL) at every point, so its probe is armed first
    priority = "LOW"

    def __init__(self, max_consecutive_skips: int = 3) -> None:
        if not isinstance(max_consecutive_skips, int) or max_consecutive_skips < 0:
            raise ValueError(
                f"NonFiniteGuardHook.max_consecutive_skips (custom_hooks): expected an int "
                f">= 0, got {max_consecutive_skips!r}."
            )
        self.max_consecutive_skips = max_consecutive_skips
        self.consecutive = self.total = 0
        self._skipped_now = False
        self._bad_param = ""
        self._batch = None

    def before_train(self, runner) -> None:
        """Wraps the optimizer wrapper's ``step`` with the gradient check."""
        wrapper = runner.optim_wrapper
        self._params = [(name, p) for name, p in runner.model.named_parameters() if p.requires_grad]
        if getattr(wrapper, "loss_scaler", None) is not None:
            return  # the GradScaler already skips overflowing fp16 steps
        step = wrapper.step

        def guarded_step(**kwargs) -> None:
            grads = [p.grad for _, p in self._params if p.grad is not None]
            norms = torch._foreach_norm(grads) if grads else []
            if not grads or bool(torch.isfinite(torch.stack(norms)).all()):  # one sync
                step(**kwargs)
                return
            index = next(i for i, n in enumerate(norms) if not torch.isfinite(n))
            with_grad = [name for name, p in self._params if p.grad is not None]
            self._skipped_now, self._bad_param = True, with_grad[index]

        wrapper.step = guarded_step

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Keeps the batch, in case its statistics must be dumped."""
        self._batch, self._skipped_now = data_batch, False

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Counts skipped steps; stops the run past the allowance."""
        bad_terms = non_finite_terms(outputs)
        if not self._skipped_now and not bad_terms:
            self.consecutive = 0
            return
        self.consecutive += 1
        self.total += 1
        what = (
            f"non-finite {', '.join(bad_terms)}"
            if bad_terms
            else f"non-finite gradient of {self._bad_param}"
        )
        runner.message_hub.update_scalar("train/skipped_steps", self.total)
        runner.logger.warning(
            f"NonFiniteGuardHook: iteration {runner.iter}: {what}; step skipped "
            f"({self.consecutive} in a row, {self.max_consecutive_skips} allowed)."
        )
        if self.consecutive > self.max_consecutive_skips:
            dump = self._dump_batch_statistics(runner)
            last = find_latest_checkpoint(runner.work_dir) or "none saved yet"
            raise NonFiniteTrainingError(
                f"NonFiniteGuardHook: {self.consecutive} non-finite steps in a row at iteration "
                f"{runner.iter} ({what}); training stopped. Last good checkpoint: {last}. "
                f"Batch statistics: {dump or 'not available for this model'}"
                + (f"; run `python tools/diagnose.py {os.path.dirname(dump)}`." if dump else ".")
            )

    def _dump_batch_statistics(self, runner) -> str | None:
        """Re-runs the loss on the failing batch with a TensorStatsHook probe; returns the file."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, "tensor_probe") or self._batch is None:
            return None
        stats = TensorStatsHook(interval=1)
        out_dir = os.path.join(runner.work_dir, f"nonfinite_iter_{runner.iter}")
        stats.attach(model, os.path.join(out_dir, stats.file_name))
        stats.before_train_iter(runner, 0, self._batch)
        with torch.no_grad():
            data = model.data_preprocessor(self._batch, True)
            losses = model(**data, mode="loss")
        stats.after_train_iter(runner, 0, self._batch, outputs=losses)
        return stats.path

"""Stops a run whose optimizer steps keep failing on non-finite losses or gradients."""

from __future__ import annotations

import math
import os

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner.checkpoint import find_latest_checkpoint
from torch import Tensor

from greenreg.engine.hooks.tensor_stats import TensorStatsHook
from greenreg.engine.optim.non_finite_guard_optim_wrapper import NonFiniteGuardOptimWrapper
from greenreg.registry import HOOKS


class NonFiniteTrainingError(RuntimeError):
    """Training produced non-finite losses or gradients more often than allowed."""


def non_finite_terms(outputs: dict | None) -> list[str]:
    """Names of the logged loss terms whose value is NaN or +-Inf: one host read for all."""
    outputs = outputs or {}
    tensors = [v.detach().float().mean() for v in outputs.values() if isinstance(v, Tensor)]
    finite = iter(torch.isfinite(torch.stack(tensors)).tolist() if tensors else [])
    bad = []
    for name, value in outputs.items():
        if isinstance(value, Tensor):
            if not next(finite):
                bad.append(name)
        elif isinstance(value, float) and not math.isfinite(value):
            bad.append(name)
    return bad


@HOOKS.register_module()
class NonFiniteGuardHook(Hook):
    """Stops a run whose optimizer steps keep failing, with a diagnosis of the failing batch.

    NonFiniteGuardOptimWrapper (and AutocastOptimWrapper, its subclass) skip a step with a
    non-finite gradient, so neither the weights nor the optimizer state see it; this hook
    counts skipped steps and non-finite losses. After ``max_consecutive_skips`` in a row
    the run stops with NonFiniteTrainingError naming the loss term (or parameter), the
    iteration and the last good checkpoint, and the failing batch's statistics are written
    to ``<work_dir>/nonfinite_iter_<N>/tensor_stats.jsonl`` for ``tools/diagnose.py``. With
    an fp16 GradScaler, which skips overflowing steps itself, only the loss is watched.

    Args:
        max_consecutive_skips (int): skipped steps in a row tolerated, >= 0.

    Raises:
        ValueError: (in ``before_train``) an optimizer wrapper that cannot skip steps.

    Example:
        ``custom_hooks = [dict(type='NonFiniteGuardHook', max_consecutive_skips=3)]``
    """

    priority = "LOW"

    def __init__(self, max_consecutive_skips: int = 3) -> None:
        if not isinstance(max_consecutive_skips, int) or max_consecutive_skips < 0:
            raise ValueError(
                f"NonFiniteGuardHook.max_consecutive_skips (custom_hooks): expected an int "
                f">= 0, got {max_consecutive_skips!r}."
            )
        self.max_consecutive_skips = max_consecutive_skips
        self.consecutive = self.total = 0
        self._names: dict[int, str] = {}
        self._batch = None

    def before_train(self, runner) -> None:
        """Checks that the optimizer wrapper skips non-finite steps; maps parameters to names."""
        wrapper = runner.optim_wrapper
        if not isinstance(wrapper, NonFiniteGuardOptimWrapper) or not wrapper.skip_non_finite:
            raise ValueError(
                f"NonFiniteGuardHook (custom_hooks): the optimizer wrapper must skip non-finite "
                f"steps; expected optim_wrapper.type 'NonFiniteGuardOptimWrapper' or "
                f"'AutocastOptimWrapper' with skip_non_finite=True, got {type(wrapper).__name__}."
            )
        self._names = {id(p): name for name, p in runner.model.named_parameters()}

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Keeps the batch, in case its statistics must be dumped."""
        self._batch = data_batch

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Counts skipped steps; stops the run past the allowance."""
        wrapper = runner.optim_wrapper
        bad_terms = non_finite_terms(outputs)
        if not wrapper.skipped_last_step and not bad_terms:
            self.consecutive = 0
            return
        self.consecutive += 1
        self.total += 1
        param = self._names.get(id(wrapper.non_finite_param), "a parameter of another rank")
        what = f"non-finite gradient of {param}"
        if bad_terms:
            what = f"non-finite {', '.join(bad_terms)}"
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
        """Re-runs the loss on the failing batch under a TensorStatsHook; returns its file."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, "register_step_observer") or self._batch is None:
            return None
        stats = TensorStatsHook(interval=1)
        out_dir = os.path.join(runner.work_dir, f"nonfinite_iter_{runner.iter}")
        stats.attach(model, os.path.join(out_dir, stats.file_name))
        stats.arm(runner.iter, float(next(iter(runner.optim_wrapper.get_lr().values()))[0]))
        try:
            with torch.no_grad():
                data = model.data_preprocessor(self._batch, True)
                losses = model(**data, mode="loss")
            stats.write_pending(dict(loss=sum(losses.values())))
        finally:
            stats.detach()
        return stats.path

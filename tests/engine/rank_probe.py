"""A test-only hook for torchrun runs: every rank saves the noise and times of its first step.

Imported by a config's ``custom_imports`` inside the training processes, never by pytest.
"""

import os

import torch
from mmengine.dist import get_rank
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from greenreg.registry import HOOKS


@HOOKS.register_module()
class RankNoiseProbeHook(Hook):
    """Writes ``<work_dir>/noise_rank<r>.pt``: x0 and t of the first training step."""

    def before_train(self, runner) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        self._handle = model.register_step_observer(self._observe)
        self._path = os.path.join(runner.work_dir, f"noise_rank{get_rank()}.pt")

    def _observe(self, step) -> None:
        torch.save(dict(x0=step.x0.detach().cpu(), t=step.t.detach().cpu()), self._path)
        self._handle.remove()

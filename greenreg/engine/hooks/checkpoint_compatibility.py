"""Refuses to resume or load from a checkpoint of another architecture."""

from __future__ import annotations

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from greenreg.engine.checkpoint import check_state_dict_fits
from greenreg.registry import HOOKS


@HOOKS.register_module()
class CheckpointCompatibilityHook(Hook):
    """Checks a loaded checkpoint's weights against the model before they are used.

    mmengine's ``Runner.resume`` and ``load_from`` load non-strictly: missing keys and
    size mismatches only log a warning and training goes on from partly random weights.
    This hook raises ``CheckpointError`` naming the first mismatches instead, before any
    weight is touched and before anything is written to the work dir.

    Example:
        ``custom_hooks = [dict(type='CheckpointCompatibilityHook')]``
    """

    # before EMAHook (NORMAL), which would otherwise fail first with a less clear message
    priority = "VERY_HIGH"

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Raises if ``checkpoint['state_dict']`` does not match the model's keys and shapes."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        check_state_dict_fits(checkpoint.get("state_dict", {}), model, "the loaded checkpoint")

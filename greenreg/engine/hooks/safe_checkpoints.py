"""Installs the weights-only checkpoint allow-list before a run saves or resumes anything."""

from __future__ import annotations

from mmengine.hooks import Hook

from greenreg.engine.checkpoint import allow_mmengine_checkpoints
from greenreg.registry import HOOKS


@HOOKS.register_module()
class SafeCheckpointsHook(Hook):
    """Lets the Runner resume from its own checkpoints under torch's weights-only loader.

    torch >= 2.6 loads with ``weights_only=True`` and refuses mmengine's checkpoints
    (mmengine #1655); greenreg allow-lists exactly what they hold and pickles mmengine's
    ``HistoryBuffer`` without function references (``greenreg/engine/checkpoint.py``).
    ``before_run`` comes before the Runner's ``load_or_resume`` and its first save, so both
    see the allow-list; importing greenreg alone changes nothing.

    Example:
        ``custom_hooks = [dict(type='SafeCheckpointsHook')]``
    """

    priority = "HIGHEST"

    def before_run(self, runner) -> None:
        """Installs the allow-list (idempotent)."""
        allow_mmengine_checkpoints()

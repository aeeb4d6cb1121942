"""Writes each validation's metrics and the latest smoothed losses to metrics.json."""

from __future__ import annotations

import json
import os
import time

from mmengine.dist import is_main_process
from mmengine.hooks import Hook

from greenreg.registry import HOOKS


@HOOKS.register_module()
class MetricsJsonHook(Hook):
    """After every validation, writes ``<work_dir>/metrics.json``.

    It holds the metrics, the iteration, the wall time since training started, and the
    latest value of every ``train/*_ema`` scalar (see LossEMAHook).

    Example:
        ``custom_hooks = [dict(type='MetricsJsonHook')]``
    """

    priority = "LOW"

    def __init__(self) -> None:
        self._start = time.perf_counter()

    def before_train(self, runner) -> None:
        """Starts the wall clock."""
        self._start = time.perf_counter()

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        """Writes the JSON file."""
        if not is_main_process():
            return
        hub = runner.message_hub
        losses = {
            key.removeprefix("train/"): float(buf.current())
            for key, buf in hub.log_scalars.items()
            if key.startswith("train/") and key.endswith("_ema")
        }
        record = dict(
            iter=runner.iter,
            train_time_s=round(time.perf_counter() - self._start, 1),
            metrics={k: float(v) for k, v in (metrics or {}).items()},
            losses_ema=losses,
        )
        with open(os.path.join(runner.work_dir, "metrics.json"), "w") as f:
            json.dump(record, f, indent=2)

"""EMA-smoothed logs of every loss term, and a PNG of the loss curves."""

from __future__ import annotations

import json
import os

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook, LoggerHook
from torch import Tensor

from greenreg.engine.hooks.run_state import is_resuming
from greenreg.registry import HOOKS


def plot_loss_curves(history: dict[str, list], path: str) -> None:
    """Draws each term's raw values (faint) and EMA (solid) on a log scale into ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = sorted(history)
    fig, axes = plt.subplots(1, len(names), figsize=(4 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes[0], names):
        curve = history[name]
        ax.plot(curve["iter"], curve["raw"], alpha=0.25, lw=0.8, label="raw")
        ax.plot(curve["iter"], curve["ema"], lw=1.6, label="EMA")
        ax.set_title(name)
        ax.set_xlabel("iteration")
        if min(curve["raw"]) > 0:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
    axes[0][0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@HOOKS.register_module()
class LossEMAHook(Hook):
    """Logs ``<term>_ema`` for every scalar the model returns; plots the curves at the end.

    Seed 001's health check: separate EMA curves of loss_flow / loss_kl / loss_contrastive
    show which term is stuck. The EMA state goes into checkpoints, so a resumed run's
    curves continue where they stopped.

    Note:
        The terms stay on their device between logging iterations: each step only keeps
        them, and one host read per LoggerHook interval (before the logging step, so the
        log holds what it held when every step was read), before a validation, a
        checkpoint, a KimgStatsHook line or the end of training brings them all over and
        feeds the message hub, in order, what per-step updates would have fed it.

    Args:
        momentum (float): weight of the newest value, in (0, 1].
        plot_name (str): file name of the PNG written in the work dir after training.

    Example:
        ``custom_hooks = [dict(type='LossEMAHook', momentum=0.02)]``
    """

    priority = "BELOW_NORMAL"

    def __init__(self, momentum: float = 0.02, plot_name: str = "loss_curves.png") -> None:
        if not 0.0 < momentum <= 1.0:
            raise ValueError(f"LossEMAHook.momentum: expected a float in (0, 1], got {momentum}.")
        self.momentum = momentum
        self.plot_name = plot_name
        # term -> {"iter": [...], "raw": [...], "ema": [...]}; terms may start or stop
        self.history: dict[str, dict[str, list]] = {}
        # (1-based iteration, {term: value}) of the steps not yet read to the host
        self._pending: list[tuple[int, dict]] = []
        self._log_interval = 1

    def before_train(self, runner) -> None:
        """Reads the LoggerHook's interval (every step without one)."""
        loggers = [h for h in runner.hooks if isinstance(h, LoggerHook)]
        self._log_interval = loggers[0].interval if loggers else 1

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Before a logging step, brings the kept terms to the host (LoggerHook runs first)."""
        if self.every_n_train_iters(runner, self._log_interval):
            self.flush(runner)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Keeps each term's value, detached, on its device."""
        if not outputs:
            return
        terms = {k: v.detach() if hasattr(v, "detach") else float(v) for k, v in outputs.items()}
        self._pending.append((runner.iter + 1, terms))
        if self.is_last_train_iter(runner):
            self.flush(runner)

    def before_val_epoch(self, runner) -> None:
        """Brings the kept terms over: MetricsJsonHook writes the latest EMA after validation."""
        self.flush(runner)

    def flush(self, runner) -> None:
        """Updates each term's EMA and logs it as ``train/<term>_ema``: one host read."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        tensors = [v for _, terms in pending for v in terms.values() if isinstance(v, Tensor)]
        # the one host read; float64 holds every float dtype exactly, as float(tensor) did
        values = torch.stack([v.double().reshape(()) for v in tensors]).tolist() if tensors else []
        host = iter(values)
        for iteration, terms in pending:
            for name, value in terms.items():
                value = next(host) if isinstance(value, Tensor) else value
                curve = self.history.setdefault(name, dict(iter=[], raw=[], ema=[]))
                ema = curve["ema"]
                smoothed = value if not ema else ema[-1] + self.momentum * (value - ema[-1])
                curve["iter"].append(iteration)
                curve["raw"].append(value)
                ema.append(smoothed)
                runner.message_hub.update_scalar(f"train/{name}_ema", smoothed)

    def after_train(self, runner) -> None:
        """Writes ``loss_curves.png`` and ``loss_history.json`` into the work dir."""
        self.flush(runner)
        if not self.history or not is_main_process():
            return
        plot_loss_curves(self.history, os.path.join(runner.work_dir, self.plot_name))
        with open(os.path.join(runner.work_dir, "loss_history.json"), "w") as f:
            json.dump(self.history, f)

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Stores the curves so far."""
        self.flush(runner)
        checkpoint["loss_ema_history"] = self.history

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """Continues the curves of a resumed run."""
        if is_resuming(runner) and "loss_ema_history" in checkpoint:
            self.history = checkpoint["loss_ema_history"]

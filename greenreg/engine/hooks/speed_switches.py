"""Seed 000's speed switches as config flags: matmul precision, channels_last, torch.compile."""

from __future__ import annotations

import time

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn

from greenreg.registry import HOOKS

PRECISIONS = ("highest", "high", "medium")


def submodule(model: nn.Module, path: str, where: str) -> nn.Module:
    """``model.<path>`` (dotted), or a KeyError naming the path and what there is."""
    module = model
    for part in path.split("."):
        if not isinstance(getattr(module, part, None), nn.Module):
            children = sorted(name for name, _ in module.named_children())
            raise KeyError(
                f"{where}: the model has no module {path!r}; expected one of {children} "
                f"(dotted paths reach deeper), got {path!r}."
            )
        module = getattr(module, part)
    return module


@HOOKS.register_module()
class SpeedSwitchesHook(Hook):
    """Turns on, before training, the speed switches seed 000 measured (+27% claimed).

    - ``float32_matmul_precision``: ``torch.set_float32_matmul_precision`` (TF32 / bf16
      passes on GPUs with tensor cores; "highest" = plain fp32).
    - ``channels_last``: these submodules keep weights (and so their convolutions'
      activations) in NHWC, what cuDNN and oneDNN convolutions run fastest.
    - ``compile``: these submodules are compiled in place (``nn.Module.compile``, so
      checkpoint keys do not change); the first step, while the graphs compile, says so on
      the console and logs how long it took.

    DataLoader workers and prefetch, the fourth switch, are ``train_dataloader``'s own keys
    (``num_workers``, ``prefetch_factor``, ``persistent_workers``).

    Args:
        float32_matmul_precision (str | None): "highest", "high" or "medium"; None leaves it.
        channels_last (list[str]): dotted paths of submodules, e.g. ``["autoencoder"]``.
        compile (list[str]): dotted paths of submodules, e.g. ``["backbone"]``.
        compile_options (dict | None): keyword arguments of ``torch.compile``.

    Example:
        ``dict(type='SpeedSwitchesHook', float32_matmul_precision='medium',
        compile=['backbone'])``
    """

    priority = "VERY_HIGH"

    def __init__(
        self,
        float32_matmul_precision: str | None = None,
        channels_last: list | tuple = (),
        compile: list | tuple = (),  # noqa: A002  (torch's and mmengine's name for it)
        compile_options: dict | None = None,
    ) -> None:
        if float32_matmul_precision not in (None, *PRECISIONS):
            raise ValueError(
                f"SpeedSwitchesHook.float32_matmul_precision (custom_hooks): expected one of "
                f"{PRECISIONS} or None, got {float32_matmul_precision!r}."
            )
        self.precision = float32_matmul_precision
        self.channels_last, self.compile = tuple(channels_last), tuple(compile)
        self.compile_options = dict(compile_options or {})
        self._compile_started: float | None = None

    def before_train(self, runner) -> None:
        """Applies the switches to the (unwrapped) model."""
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        self.apply(model)
        if self.compile:
            runner.logger.info(f"SpeedSwitchesHook: compiling {list(self.compile)} on first use")

    def apply(self, model: nn.Module) -> None:
        """Sets the precision, converts and compiles the named submodules of ``model``."""
        if self.precision is not None:
            torch.set_float32_matmul_precision(self.precision)
        where = "SpeedSwitchesHook.{} (custom_hooks)"
        for path in self.channels_last:
            submodule(model, path, where.format("channels_last")).to(
                memory_format=torch.channels_last
            )
        for path in self.compile:
            submodule(model, path, where.format("compile")).compile(**self.compile_options)

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        """Says, before the first step, that it will be slow while torch.compile works."""
        if self.compile and self._compile_started is None:
            print(
                "SpeedSwitchesHook: torch.compile is compiling the first step; it may take "
                "a minute or more, later steps are fast",
                flush=True,
            )
            self._compile_started = time.perf_counter()

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        """Logs how long the first (compiling) step took."""
        if self.compile and self._compile_started not in (None, -1.0):
            seconds = time.perf_counter() - self._compile_started
            runner.logger.info(f"SpeedSwitchesHook: first step (compiling) took {seconds:.1f} s")
            self._compile_started = -1.0

"""Speed switches as config flags: TF32, matmul precision, channels_last, torch.compile."""

from __future__ import annotations

import time

import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from torch import nn

from greenreg.registry import HOOKS

PRECISIONS = ("highest", "high", "medium")
# float32_matmul_precision values that let cuBLAS use TF32 (or bf16) passes
REDUCED_PRECISIONS = ("high", "medium")


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


def check_tf32(tf32: bool | None, precision: str | None) -> None:
    """Raises when ``tf32`` is not a bool or None, or contradicts the matmul precision."""
    where = "SpeedSwitchesHook.tf32 (custom_hooks)"
    if tf32 is not None and not isinstance(tf32, bool):
        raise TypeError(f"{where}: expected True, False or None, got {tf32!r}.")
    if precision is None or tf32 is None or tf32 == (precision in REDUCED_PRECISIONS):
        return
    expected = REDUCED_PRECISIONS if tf32 else ("highest",)
    raise ValueError(
        f"{where}: tf32={tf32} contradicts float32_matmul_precision={precision!r}; expected "
        f"the precision to be one of {expected} or None, got {precision!r}."
    )


@HOOKS.register_module()
class SpeedSwitchesHook(Hook):
    """Turns on, before training, the speed switches seed 000 measured (+27% claimed).

    - ``tf32``: TensorFloat-32 on Ampere and later GPUs, for fp32 matmuls
      (``torch.backends.cuda.matmul.allow_tf32``, which is precision "high") and cuDNN
      convolutions (``torch.backends.cudnn.allow_tf32``); False forces IEEE fp32 in both.
      No effect on a CPU. The legacy flags, like ``set_float32_matmul_precision``: torch
      2.14 raises when they are mixed with the newer ``fp32_precision`` ones.
    - ``float32_matmul_precision``: ``torch.set_float32_matmul_precision`` (TF32 / bf16
      passes on GPUs with tensor cores; "highest" = plain fp32).
    - ``channels_last``: these submodules keep weights (and so their convolutions'
      activations) in NHWC, what cuDNN and oneDNN convolutions run fastest.
    - ``compile``: these submodules are compiled in place (``nn.Module.compile``, so
      checkpoint keys do not change); the first step, while the graphs compile, says so on
      the console and logs how long it took.

    The other switches are config keys of their own: bf16 autocast is
    ``optim_wrapper.type='AutocastOptimWrapper'``, fused AdamW
    ``optim_wrapper.optimizer.fused=True`` (CPU and CUDA), and DataLoader workers and
    prefetch are ``train_dataloader``'s ``num_workers``, ``prefetch_factor`` and
    ``persistent_workers``. ``bench/speed_switches.py`` measures each on and off.

    Args:
        tf32 (bool | None): True allows TF32 in matmuls and cuDNN convolutions, False
            forbids it; None leaves torch's defaults (matmuls IEEE fp32, convolutions TF32).
        float32_matmul_precision (str | None): "highest", "high" or "medium"; None leaves it.
        channels_last (list[str]): dotted paths of submodules, e.g. ``["autoencoder"]``.
        compile (list[str]): dotted paths of submodules, e.g. ``["backbone"]``.
        compile_options (dict | None): keyword arguments of ``torch.compile``.

    Raises:
        TypeError: ``tf32`` is not a bool or None.
        ValueError: an unknown precision, or ``tf32`` contradicting it (TF32 matmuls are
            precision "high" or "medium", IEEE ones "highest").

    Example:
        ``dict(type='SpeedSwitchesHook', tf32=True, compile=['backbone'])``
    """

    priority = "VERY_HIGH"

    def __init__(
        self,
        float32_matmul_precision: str | None = None,
        channels_last: list | tuple = (),
        compile: list | tuple = (),  # noqa: A002  (torch's and mmengine's name for it)
        compile_options: dict | None = None,
        tf32: bool | None = None,
    ) -> None:
        if float32_matmul_precision not in (None, *PRECISIONS):
            raise ValueError(
                f"SpeedSwitchesHook.float32_matmul_precision (custom_hooks): expected one of "
                f"{PRECISIONS} or None, got {float32_matmul_precision!r}."
            )
        check_tf32(tf32, float32_matmul_precision)
        self.precision, self.tf32 = float32_matmul_precision, tf32
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
        if self.tf32 is not None:
            torch.backends.cuda.matmul.allow_tf32 = self.tf32
            torch.backends.cudnn.allow_tf32 = self.tf32
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

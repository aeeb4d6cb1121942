"""Mixed precision that works on CPU (bf16) as well as on GPU (bf16 or fp16)."""

from __future__ import annotations

import warnings
from contextlib import contextmanager

import torch
from mmengine.device import get_device
from torch import Tensor, nn

from greenreg.engine.optim.bf16_support import has_native_bf16
from greenreg.engine.optim.non_finite_guard_optim_wrapper import NonFiniteGuardOptimWrapper
from greenreg.registry import OPTIM_WRAPPERS

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}
ON_EMULATED_BF16 = ("fp32", "bf16", "error")


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(NonFiniteGuardOptimWrapper):
    """OptimWrapper that runs forward and loss under ``torch.autocast`` on the current device.

    mmengine's AmpOptimWrapper asserts a GPU and builds a GradScaler even for bf16. Here bf16
    needs no scaler (its exponent range equals fp32's) and runs on CPU too; fp16 is for
    CUDA only and gets a dynamic GradScaler, whose state is checkpointed. Steps with a
    non-finite gradient are skipped (NonFiniteGuardOptimWrapper; in fp16 the GradScaler
    skips them itself).

    A device without bf16 units (a CPU without AVX-512 BF16 or AMX) emulates bf16 10x or more
    slower than fp32 (see :func:`has_native_bf16`); ``on_emulated_bf16`` says what then.

    Args:
        dtype (str): ``"bfloat16"`` or ``"float16"``.
        on_emulated_bf16 (str): on a device that would emulate bf16: ``"fp32"`` (default)
            warns once and trains in fp32; ``"bf16"`` autocasts anyway (numerics checks);
            ``"error"`` raises.
        **kwargs: NonFiniteGuardOptimWrapper arguments (``optimizer``, ``clip_grad``, ...).

    Example:
        ``optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16', optimizer=...)``
    """

    def __init__(self, dtype: str = "bfloat16", on_emulated_bf16: str = "fp32", **kwargs) -> None:
        super().__init__(**kwargs)
        if dtype not in DTYPES:
            raise ValueError(
                f"AutocastOptimWrapper.dtype (optim_wrapper.dtype): expected one of "
                f"{tuple(DTYPES)}, got {dtype!r}."
            )
        self.device_type = get_device()
        if dtype == "float16" and self.device_type != "cuda":
            raise ValueError(
                f"AutocastOptimWrapper.dtype (optim_wrapper.dtype): float16 needs a CUDA GPU; "
                f"this run is on {self.device_type!r}: use 'bfloat16'."
            )
        if on_emulated_bf16 not in ON_EMULATED_BF16:
            raise ValueError(
                f"AutocastOptimWrapper.on_emulated_bf16 (optim_wrapper.on_emulated_bf16): "
                f"expected one of {ON_EMULATED_BF16}, got {on_emulated_bf16!r}."
            )
        self.dtype = DTYPES[dtype]
        self.enabled = True
        if self.dtype == torch.bfloat16 and not has_native_bf16(self.device_type):
            self.enabled = self._emulated_bf16(on_emulated_bf16)
        self.scaler = torch.amp.GradScaler("cuda") if self.dtype == torch.float16 else None

    def _emulated_bf16(self, policy: str) -> bool:
        """Applies ``on_emulated_bf16``; returns whether autocast stays on."""
        message = (
            f"AutocastOptimWrapper: this {self.device_type} has no native bf16 units (no "
            f"AVX-512 BF16 / AMX), so bf16 would be emulated, 10x or more slower than fp32"
        )
        if policy == "error":
            raise ValueError(
                f"{message}; expected a device with bf16 units or "
                f"on_emulated_bf16='fp32', got on_emulated_bf16='error'."
            )
        if policy == "fp32":
            warnings.warn(f"{message}: training in fp32 instead.", stacklevel=3)
            return False
        return True

    def backward(self, loss: Tensor, **kwargs) -> None:
        """Backpropagates ``loss``, scaled first when training in fp16."""
        super().backward(self.scaler.scale(loss) if self.scaler else loss, **kwargs)

    def step(self, **kwargs) -> None:
        """Clips (on unscaled gradients) and steps; with fp16, skips steps with inf/NaN grads."""
        if self.scaler is None:
            super().step(**kwargs)
            return
        if self.clip_grad_kwargs:
            self.scaler.unscale_(self.optimizer)
            self._clip_grad()
        self.scaler.step(self.optimizer, **kwargs)
        self.scaler.update()

    def state_dict(self) -> dict:
        """Optimizer state plus the loss scaler's, when there is one."""
        state = super().state_dict()
        if self.scaler is not None:
            state["loss_scaler"] = self.scaler.state_dict()
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Restores what :meth:`state_dict` saved."""
        scaler_state = state_dict.pop("loss_scaler", None)
        if scaler_state is not None and self.scaler is not None:
            self.scaler.load_state_dict(scaler_state)
        super().load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context of OptimWrapper, inside autocast."""
        with (
            super().optim_context(model),
            torch.autocast(self.device_type, dtype=self.dtype, enabled=self.enabled),
        ):
            yield

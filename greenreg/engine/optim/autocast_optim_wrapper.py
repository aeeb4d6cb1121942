"""Mixed precision that works on CPU (bf16) as well as on GPU (bf16 or fp16)."""

from __future__ import annotations

from contextlib import contextmanager

import torch
from mmengine.device import get_device
from torch import Tensor, nn

from greenreg.engine.optim.non_finite_guard_optim_wrapper import NonFiniteGuardOptimWrapper
from greenreg.registry import OPTIM_WRAPPERS

DTYPES = {"bfloat16": torch.bfloat16, "float16": torch.float16}


@OPTIM_WRAPPERS.register_module()
class AutocastOptimWrapper(NonFiniteGuardOptimWrapper):
    """OptimWrapper that runs forward and loss under ``torch.autocast`` on the current device.

    mmengine's AmpOptimWrapper asserts a GPU and builds a GradScaler even for bf16. Here bf16
    needs no scaler (its exponent range equals fp32's) and runs on CPU too; fp16 is for
    CUDA only and gets a dynamic GradScaler, whose state is checkpointed. Steps with a
    non-finite gradient are skipped (NonFiniteGuardOptimWrapper; in fp16 the GradScaler
    skips them itself).

    Args:
        dtype (str): ``"bfloat16"`` or ``"float16"``.
        **kwargs: NonFiniteGuardOptimWrapper arguments (``optimizer``, ``clip_grad``, ...).

    Example:
        ``optim_wrapper = dict(type='AutocastOptimWrapper', dtype='bfloat16', optimizer=...)``
    """

    def __init__(self, dtype: str = "bfloat16", **kwargs) -> None:
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
        self.dtype = DTYPES[dtype]
        self.scaler = torch.amp.GradScaler("cuda") if self.dtype == torch.float16 else None

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
        with super().optim_context(model), torch.autocast(self.device_type, dtype=self.dtype):
            yield

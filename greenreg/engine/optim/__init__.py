"""Optimizer wrappers: bf16/fp16 autocast on any device, and skipping non-finite steps."""

from greenreg.engine.optim.autocast_optim_wrapper import AutocastOptimWrapper
from greenreg.engine.optim.bf16_support import has_native_bf16
from greenreg.engine.optim.non_finite_guard_optim_wrapper import NonFiniteGuardOptimWrapper

__all__ = ["AutocastOptimWrapper", "NonFiniteGuardOptimWrapper", "has_native_bf16"]

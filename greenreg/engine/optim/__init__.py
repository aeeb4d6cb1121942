"""Optimizer wrappers."""

from greenreg.engine.optim.autocast_optim_wrapper import AutocastOptimWrapper

__all__ = ["AutocastOptimWrapper"]

"""Uniform time sampling, optionally on a truncated range."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


@TIME_SAMPLERS.register_module()
class UniformTimeSampler(BaseTimeSampler):
    """t ~ U[low, high].

    Args:
        low (float): lower end, in [0, 1].
        high (float): upper end, in (low, 1].

    Example:
        ``dict(type='UniformTimeSampler', low=0.8, high=1.0)``
    """

    def __init__(self, low: float = 0.0, high: float = 1.0) -> None:
        if not 0.0 <= low < high <= 1.0:
            raise ValueError(
                f"UniformTimeSampler.low/high: expected 0 <= low < high <= 1, "
                f"got low={low}, high={high}."
            )
        self.low, self.high = low, high

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """T = low + (high - low) u."""
        return self.low + (self.high - self.low) * u

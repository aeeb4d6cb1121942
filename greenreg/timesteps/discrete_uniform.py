"""DDPM-style discrete time steps, uniform on a grid of num_steps points."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


@TIME_SAMPLERS.register_module()
class DiscreteUniformTimeSampler(BaseTimeSampler):
    """k ~ U{0, ..., N-1}, mapped to t = 1 - (k + 1) / N (Ho et al. 2020, Alg. 1).

    DDPM step k=0 is the least noisy (t = 1 - 1/N; t=1 is data, never drawn) and k=N-1 is
    pure noise (t = 0). As an inverse CDF, k = min(floor(u N), N - 1).

    Args:
        num_steps (int): number N of grid points, >= 1.

    Raises:
        TypeError: if ``num_steps`` is not an int.
        ValueError: if ``num_steps`` < 1.

    Example:
        ``dict(type='DiscreteUniformTimeSampler', num_steps=1000)``
    """

    def __init__(self, num_steps: int = 1000) -> None:
        if not isinstance(num_steps, int) or isinstance(num_steps, bool):
            raise TypeError(
                f"DiscreteUniformTimeSampler.num_steps (model.time_sampler.num_steps): must "
                f"be an int; expected an int >= 1, got {num_steps!r}."
            )
        if num_steps < 1:
            raise ValueError(
                f"DiscreteUniformTimeSampler.num_steps (model.time_sampler.num_steps): too "
                f"small; expected an int >= 1, got {num_steps}."
            )
        self.num_steps = num_steps

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """Maps u of shape (B,) to t = 1 - (k + 1) / N with k = min(floor(u N), N - 1)."""
        # the clamp guards u * N rounding up to N in float32 when u is just below 1
        k = torch.floor(u * self.num_steps).clamp(0, self.num_steps - 1)
        return 1.0 - (k + 1) / self.num_steps

"""Logit-normal time sampling (Esser et al. 2024, SD3, Sec. 3.1)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import TIME_SAMPLERS
from greenreg.timesteps.base import BaseTimeSampler


@TIME_SAMPLERS.register_module()
class LogitNormalTimeSampler(BaseTimeSampler):
    """t = sigmoid(mean + std * z), z ~ N(0, 1): most mass mid-path, little near 0 and 1.

    Args:
        mean (float): location of logit(t).
        std (float): scale of logit(t), > 0.

    Example:
        ``dict(type='LogitNormalTimeSampler', mean=0.0, std=1.0)``
    """

    def __init__(self, mean: float = 0.0, std: float = 1.0) -> None:
        if std <= 0:
            raise ValueError(
                f"LogitNormalTimeSampler.std (model.time_sampler.std): expected a float > 0, "
                f"got {std}."
            )
        self.mean, self.std = mean, std

    def transform(self, u: Tensor, iteration: int = 0) -> Tensor:
        """Maps u to sigmoid(mean + std * Phi^-1(u)); u is kept off 0 and 1 (Phi^-1 = +-inf)."""
        z = torch.special.ndtri(u.clamp(1e-7, 1 - 1e-7))
        return torch.sigmoid(self.mean + self.std * z)

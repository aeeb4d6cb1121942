"""Equal steps in t."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath
from greenreg.registry import TIME_GRIDS
from greenreg.timegrids.base import BaseTimeGrid


@TIME_GRIDS.register_module()
class UniformTimeGrid(BaseTimeGrid):
    """t_i = start + i (1 - start) / N, i = 0 .. N.

    The natural grid for the linear (rectified-flow) path; on VP schedules it spends most
    steps where the SNR hardly changes and takes one large step where sigma ~ sqrt(1 - t)
    is stiff, so second-order solvers need a log-SNR or Karras grid there.

    Args:
        num_steps (int): number of intervals N, >= 1.

    Example:
        ``dict(type='UniformTimeGrid', num_steps=20)``
    """

    def __init__(self, num_steps: int = 50) -> None:
        super().__init__(num_steps)

    def interior(self, path: BaseProbabilityPath, start: float) -> Tensor:
        """N equal steps from ``start``; shape (N,)."""
        return torch.linspace(start, 1.0, self.num_steps + 1, dtype=torch.float64)[:-1]

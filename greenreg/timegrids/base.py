"""The time-grid interface: where a sampler evaluates the model, from noise to data."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath
from greenreg.utils import check_int


class BaseTimeGrid(metaclass=ABCMeta):
    """Times t_0 < t_1 < ... < t_N = 1 at which a solver steps (t=1 is data).

    A grid is built for a path (log-SNR and Karras spacings depend on its schedule) and
    starts at the path's first sampling time. It always ends at t = 1, sigma = 0: the last
    step lands on the data estimate (EDM's final step to sigma 0), so no noise is left at
    the sigma of the second-to-last point. Subclasses implement :meth:`interior`.

    Args:
        num_steps (int): number of intervals N, >= 1 (NFE of a one-evaluation solver).
    """

    def __init__(self, num_steps: int) -> None:
        check_int(f"{type(self).__name__}.num_steps (model.time_grid.num_steps)", num_steps, 1)
        self.num_steps = num_steps

    @abstractmethod
    def interior(self, path: BaseProbabilityPath, start: float) -> Tensor:
        """t_0 .. t_{N-1}, shape (N,), float64, increasing, t_0 >= ``start``, all < 1."""

    def __call__(self, path: BaseProbabilityPath) -> Tensor:
        """The grid for ``path``: shape (N + 1,), float64, from its first sampling time to 1."""
        start = float(path.sampling_range[0])
        times = self.interior(path, start).double()
        grid = torch.cat([times, torch.ones(1, dtype=torch.float64)])
        if times.shape != (self.num_steps,) or not bool((grid[1:] > grid[:-1]).all()):
            raise ValueError(
                f"{type(self).__name__} on {type(path).__name__}: the grid must increase "
                f"strictly from {start} to 1 in {self.num_steps} steps; got {grid.tolist()}."
            )
        return grid

"""The sampler interface: step a model along a time grid from noise (t_0) to data (t=1)."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor

from greenreg.solvers.model_fn import ModelFn

# x -> standard normal noise shaped like x (per-sample seeded generators in the generators)
NoiseFn = Callable[[Tensor], Tensor]


@dataclass
class SolverResult:
    """The end state of a sampler.

    Attributes:
        x1 (Tensor): state at t=1, shape (B, ...).
        nfe (int): number of model evaluations spent.
    """

    x1: Tensor
    nfe: int


class BaseSolver(metaclass=ABCMeta):
    """Every sampler: ``solve(model, x, grid, noise) -> SolverResult``.

    ``model`` answers both views (velocity and denoiser, :class:`ModelFn`); ``grid`` holds
    the times t_0 < ... < t_N = 1 (a TIME_GRIDS component builds it for the path); ``x``
    lies at t_0. Adaptive solvers use only the grid's ends. Subclasses implement
    :meth:`solve`.
    """

    @abstractmethod
    def solve(
        self, model: ModelFn, x: Tensor, grid: Tensor, noise: NoiseFn | None = None
    ) -> SolverResult:
        """Moves x (B, ...) from t = grid[0] to t = grid[-1].

        Args:
            model (ModelFn): the model's velocity and denoiser views.
            x (Tensor): state at grid[0], shape (B, ...).
            grid (Tensor): times, shape (N + 1,), increasing, float64.
            noise (NoiseFn | None): fresh noise for stochastic samplers; None:
                torch.randn_like.

        Returns:
            SolverResult: x at grid[-1] and the NFE spent.
        """


def grid_points(grid: Tensor) -> list[float]:
    """The grid as Python floats (solvers index it every step; one transfer here)."""
    return [float(t) for t in grid.double().cpu()]

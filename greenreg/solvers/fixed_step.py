"""Explicit ODE solvers stepping along a given time grid, one ``step`` rule per method."""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import Tensor

from greenreg.solvers.base import BaseSolver, NoiseFn, SolverResult, grid_points
from greenreg.solvers.model_fn import ModelFn


class FixedStepSolver(BaseSolver):
    """Integrates dx/dt = model.velocity(x, t) over the grid's intervals.

    An interval ending where the velocity is singular is integrated up to the path's last
    sampling time (VP paths: 1 - 1e-3, DDPM: the last trained step) and finished with one
    first-order denoised step (:meth:`ModelFn.step_to`), as EDM's Algorithm 1 takes its last
    step to sigma = 0 without the second-order correction; where no such time lies inside
    the interval (an x1-predicting model at sigma = 0) the whole interval is that step.
    Subclasses implement :meth:`step`.
    """

    @abstractmethod
    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """Advances x (B, ...) from time t to t + h."""

    @torch.no_grad()
    def solve(
        self, model: ModelFn, x: Tensor, grid: Tensor, noise: NoiseFn | None = None
    ) -> SolverResult:
        """Steps x from grid[0] to grid[-1]; see :meth:`BaseSolver.solve`."""
        start, stop = model.nfe, model.last_velocity_time()
        times = grid_points(grid)
        for t, t_next in zip(times[:-1], times[1:]):
            if model.velocity_defined(t_next):
                x = self.step(model, x, t, t_next - t)
                continue
            if stop is not None and t < stop < t_next:
                x, t = self.step(model, x, t, stop - t), stop
            x = model.step_to(x, t, t_next)
        return SolverResult(x1=x, nfe=model.nfe - start)

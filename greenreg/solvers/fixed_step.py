"""Explicit ODE solvers stepping along a given time grid, one ``step`` rule per method."""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import Tensor

from greenreg.solvers.base import BaseSolver, NoiseFn, SolverResult, grid_points
from greenreg.solvers.clipped_model_fn import ClippedModelFn
from greenreg.solvers.model_fn import ModelFn
from greenreg.solvers.noise_level_view import NoiseLevelView

# the variables fixed-step solvers integrate in: time t, or EDM's (x / alpha, sigma / alpha)
ODE_VARIABLES = ("t", "sigma")


class FixedStepSolver(BaseSolver):
    """Integrates dx/dt = model.velocity(x, t) over the grid's intervals.

    An interval ending where the velocity is singular is integrated up to the path's last
    sampling time (VP paths: 1 - 1e-3, DDPM: the last trained step) and finished with one
    first-order denoised step (:meth:`ModelFn.step_to`), as EDM's Algorithm 1 takes its last
    step to sigma = 0 without the second-order correction; where no such time lies inside
    the interval (an x1-predicting model at sigma = 0) the whole interval is that step.
    Subclasses implement :meth:`step`.

    Args:
        ode_variables (str): ``"t"`` integrates dx/dt in t; ``"sigma"`` integrates
            d(x / alpha) / d(sigma / alpha) = eps (EDM's variables, see NoiseLevelView): the
            steps of VP schedules at 10-20 NFE stay stable there. Needs alpha > 0 at the
            grid's start (DDPM, VP linear-beta; not the linear or cosine path from t = 0).
        clip_x1 (bool): clamp every x1 estimate to [-1, 1] (ClippedModelFn), as DDIM's and
            DDPM's ``clip_x1`` do; for images in [-1, 1].
    """

    def __init__(self, ode_variables: str = "t", clip_x1: bool = False) -> None:
        if ode_variables not in ODE_VARIABLES:
            raise ValueError(
                f"{type(self).__name__}.ode_variables (model.solver.ode_variables): expected "
                f"one of {ODE_VARIABLES}, got {ode_variables!r}."
            )
        self.ode_variables, self.clip_x1 = ode_variables, bool(clip_x1)

    @abstractmethod
    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """Advances x (B, ...) from time t to t + h."""

    @torch.no_grad()
    def solve(
        self, model: ModelFn, x: Tensor, grid: Tensor, noise: NoiseFn | None = None
    ) -> SolverResult:
        """Steps x from grid[0] to grid[-1]; see :meth:`BaseSolver.solve`."""
        start, times = model.nfe, grid_points(grid)
        if self.clip_x1:
            model = ClippedModelFn(model)
        if self.ode_variables == "sigma":
            view = NoiseLevelView(model)
            y = view.enter(x, times[0])
            y = self._integrate(view, y, [view.to_u(t) for t in times])
            x = view.leave(y, times[-1])
        else:
            x = self._integrate(model, x, times)
        return SolverResult(x1=x, nfe=model.nfe - start)

    def _integrate(self, model: ModelFn | NoiseLevelView, x: Tensor, times: list[float]) -> Tensor:
        """The step loop over increasing ``times`` in ``model``'s time variable."""
        stop = model.last_velocity_time()
        for t, t_next in zip(times[:-1], times[1:]):
            if model.velocity_defined(t_next):
                x = self.step(model, x, t, t_next - t)
                continue
            if stop is not None and t < stop < t_next:
                x, t = self.step(model, x, t, stop - t), stop
            x = model.step_to(x, t, t_next)
        return x

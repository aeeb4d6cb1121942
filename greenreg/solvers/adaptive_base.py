"""Adaptive solvers: their own steps between the grid's ends, within an NFE budget."""

from __future__ import annotations

from abc import abstractmethod

from torch import Tensor

from greenreg.solvers.base import BaseSolver, NoiseFn, SolverResult, grid_points
from greenreg.solvers.model_fn import ModelFn
from greenreg.utils import check_int


class AdaptiveSolver(BaseSolver):
    """Integrates the velocity from grid[0] as far towards grid[-1] as it is finite.

    That is the path's last sampling time where the grid runs past it (VP paths: 1 - 1e-3,
    DDPM: 1 - 1/N), else the last grid time with a finite velocity (x1 prediction: short of
    sigma = 0); only the grid's ends matter, not its step count. Grid points beyond are
    reached with first-order denoised steps. Never returns a state short of the end: an
    exhausted budget raises. Subclasses implement :meth:`integrate`.

    Args:
        max_nfe (int): evaluation budget, >= 2.
    """

    def __init__(self, max_nfe: int = 1000) -> None:
        check_int(f"{type(self).__name__}.max_nfe (model.solver.max_nfe)", max_nfe, 2)
        self.max_nfe = max_nfe

    @abstractmethod
    def integrate(self, model: ModelFn, x: Tensor, t: float, t_end: float) -> Tensor:
        """The state x (B, ...) at t carried to t_end."""

    def check_budget(self, spent: int, t: float, t_end: float) -> None:
        """Raises RuntimeError once ``spent`` reaches ``max_nfe`` before ``t_end``."""
        if spent >= self.max_nfe:
            raise RuntimeError(
                f"{type(self).__name__}.max_nfe (model.solver.max_nfe): the budget of "
                f"{self.max_nfe} evaluations ran out at t = {t:.4f} of {t_end:.4f}; expected "
                f"a larger max_nfe or a looser tolerance."
            )

    def solve(
        self, model: ModelFn, x: Tensor, grid: Tensor, noise: NoiseFn | None = None
    ) -> SolverResult:
        """Adaptive steps to the last time with a finite velocity, then denoised steps."""
        start = model.nfe
        times = grid_points(grid)
        t_end = max([t for t in times[1:] if model.velocity_defined(t)], default=times[0])
        # a uniform grid on a VP path would otherwise stop at its second-to-last point
        last_sampled = float(model.path.sampling_range[1])
        if t_end < last_sampled < times[-1] and model.velocity_defined(last_sampled):
            t_end = last_sampled
        if t_end > times[0]:
            x = self.integrate(model, x, times[0], t_end)
        rest = [t for t in times if t > t_end]
        for t, t_next in zip([t_end, *rest[:-1]], rest):
            x = model.step_to(x, t, t_next)
        return SolverResult(x1=x, nfe=model.nfe - start)

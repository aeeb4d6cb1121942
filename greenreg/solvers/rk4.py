"""The classical fourth-order Runge-Kutta method."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.fixed_step import FixedStepSolver
from greenreg.solvers.model_fn import ModelFn, time_like


@SOLVERS.register_module()
class RK4Solver(FixedStepSolver):
    """Fourth order, four NFE per step (Kutta 1901; slopes weighted 1/6, 1/3, 1/3, 1/6).

    Example:
        ``dict(type='RK4Solver')`` (steps: ``model.time_grid``)
    """

    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """One RK4 step from t to t + h."""
        k1 = model.velocity(x, time_like(x, t))
        k2 = model.velocity(x + 0.5 * h * k1, time_like(x, t + 0.5 * h))
        k3 = model.velocity(x + 0.5 * h * k2, time_like(x, t + 0.5 * h))
        k4 = model.velocity(x + h * k3, time_like(x, t + h))
        return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

"""The classical fourth-order Runge-Kutta method."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import VelocityFn
from greenreg.solvers.fixed_step import FixedStepSolver, time_like


@SOLVERS.register_module()
class RK4Solver(FixedStepSolver):
    """Fourth order, four NFE per step (Kutta 1901; slopes weighted 1/6, 1/3, 1/3, 1/6).

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='RK4Solver', num_steps=10)``
    """

    nfe_per_step = 4

    def __init__(self, num_steps: int = 10) -> None:
        super().__init__(num_steps)

    def step(self, velocity: VelocityFn, x: Tensor, t: float, h: float) -> Tensor:
        """One RK4 step from t to t + h."""
        k1 = velocity(x, time_like(x, t))
        k2 = velocity(x + 0.5 * h * k1, time_like(x, t + 0.5 * h))
        k3 = velocity(x + 0.5 * h * k2, time_like(x, t + 0.5 * h))
        k4 = velocity(x + h * k3, time_like(x, t + h))
        return x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

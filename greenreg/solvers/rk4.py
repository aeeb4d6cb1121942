"""The classical fourth-order Runge-Kutta method."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn
from greenreg.solvers.fixed_step import check_num_steps, time_like


@SOLVERS.register_module()
class RK4Solver(BaseSolver):
    """Fourth order, four NFE per step (Kutta 1901; slopes weighted 1/6, 1/3, 1/3, 1/6).

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='RK4Solver', num_steps=10)``
    """

    def __init__(self, num_steps: int = 10) -> None:
        self.num_steps = check_num_steps("RK4Solver", num_steps)

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 and NFE = 4 * num_steps."""
        x, h = x0, 1.0 / self.num_steps
        for k in range(self.num_steps):
            t = k * h
            k1 = velocity(x, time_like(x, t))
            k2 = velocity(x + 0.5 * h * k1, time_like(x, t + 0.5 * h))
            k3 = velocity(x + 0.5 * h * k2, time_like(x, t + 0.5 * h))
            k4 = velocity(x + h * k3, time_like(x, t + h))
            x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return SolverResult(x1=x, nfe=4 * self.num_steps)

"""The explicit midpoint method."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn
from greenreg.solvers.fixed_step import check_num_steps, time_like


@SOLVERS.register_module()
class MidpointSolver(BaseSolver):
    """Second order, two NFE per step: x + h v(x + h/2 v(x, t), t + h/2).

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='MidpointSolver', num_steps=25)``
    """

    def __init__(self, num_steps: int = 25) -> None:
        self.num_steps = check_num_steps("MidpointSolver", num_steps)

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 and NFE = 2 * num_steps."""
        x, h = x0, 1.0 / self.num_steps
        for k in range(self.num_steps):
            half = x + 0.5 * h * velocity(x, time_like(x, k * h))
            x = x + h * velocity(half, time_like(x, (k + 0.5) * h))
        return SolverResult(x1=x, nfe=2 * self.num_steps)

"""Explicit Euler with uniform steps."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn
from greenreg.solvers.fixed_step import check_num_steps, time_like


@SOLVERS.register_module()
class EulerSolver(BaseSolver):
    """x_{k+1} = x_k + h v(x_k, t_k), h = 1 / num_steps: first order, one NFE per step.

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='EulerSolver', num_steps=50)``
    """

    def __init__(self, num_steps: int = 50) -> None:
        self.num_steps = check_num_steps("EulerSolver", num_steps)

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 (B, ...) and the NFE."""
        x = x0
        h = 1.0 / self.num_steps
        for k in range(self.num_steps):
            x = x + h * velocity(x, time_like(x, k * h))
        return SolverResult(x1=x, nfe=self.num_steps)

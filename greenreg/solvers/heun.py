"""Heun's method (explicit trapezoidal rule)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn
from greenreg.solvers.fixed_step import check_num_steps, time_like


@SOLVERS.register_module()
class HeunSolver(BaseSolver):
    """Second order, two NFE per step: an Euler predictor, then the average of both slopes.

    Karras et al. 2022 (EDM), Algorithm 1, without noise; here on t in [0, 1].

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='HeunSolver', num_steps=15)``
    """

    def __init__(self, num_steps: int = 25) -> None:
        self.num_steps = check_num_steps("HeunSolver", num_steps)

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 and NFE = 2 * num_steps."""
        x, h = x0, 1.0 / self.num_steps
        for k in range(self.num_steps):
            v0 = velocity(x, time_like(x, k * h))
            v1 = velocity(x + h * v0, time_like(x, (k + 1) * h))
            x = x + 0.5 * h * (v0 + v1)
        return SolverResult(x1=x, nfe=2 * self.num_steps)

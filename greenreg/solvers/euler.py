"""Explicit Euler with uniform steps."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn


@SOLVERS.register_module()
class EulerSolver(BaseSolver):
    """x_{k+1} = x_k + h v(x_k, t_k), h = 1 / num_steps: first order, one NFE per step.

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='EulerSolver', num_steps=50)``
    """

    def __init__(self, num_steps: int = 50) -> None:
        if not isinstance(num_steps, int) or num_steps < 1:
            raise ValueError(
                f"EulerSolver.num_steps (model.solver.num_steps): expected an int >= 1, "
                f"got {num_steps!r}."
            )
        self.num_steps = num_steps

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 (B, ...) and the NFE."""
        x = x0
        h = 1.0 / self.num_steps
        for k in range(self.num_steps):
            t = torch.full((x.shape[0],), k * h, device=x.device, dtype=torch.float32)
            x = x + h * velocity(x, t)
        return SolverResult(x1=x, nfe=self.num_steps)

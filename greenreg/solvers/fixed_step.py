"""Fixed-step explicit solvers: one uniform time grid, one ``step`` rule per method."""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import Tensor

from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn


def time_like(x: Tensor, t: float) -> Tensor:
    """A batch of equal times, shape (B,), on x's device.

    float64 for a float64 state (so a high-order solver is not limited by a rounded time
    grid), else float32.
    """
    dtype = torch.float64 if x.dtype == torch.float64 else torch.float32
    return torch.full((x.shape[0],), t, device=x.device, dtype=dtype)


class FixedStepSolver(BaseSolver):
    """Integrates with ``num_steps`` uniform steps of size h = 1 / num_steps.

    Subclasses set ``nfe_per_step`` and implement :meth:`step`.

    Args:
        num_steps (int): number of uniform steps, >= 1.
    """

    nfe_per_step: int = 1

    def __init__(self, num_steps: int) -> None:
        if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 1:
            raise ValueError(
                f"{type(self).__name__}.num_steps (model.solver.num_steps): expected an int "
                f">= 1, got {num_steps!r}."
            )
        self.num_steps = num_steps

    @abstractmethod
    def step(self, velocity: VelocityFn, x: Tensor, t: float, h: float) -> Tensor:
        """Advances x (B, ...) from time t to t + h."""

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; NFE = nfe_per_step * num_steps."""
        x, h = x0, 1.0 / self.num_steps
        for k in range(self.num_steps):
            x = self.step(velocity, x, k * h, h)
        return SolverResult(x1=x, nfe=self.nfe_per_step * self.num_steps)

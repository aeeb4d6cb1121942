"""Explicit Euler with uniform steps."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import VelocityFn
from greenreg.solvers.fixed_step import FixedStepSolver, time_like


@SOLVERS.register_module()
class EulerSolver(FixedStepSolver):
    """x_{k+1} = x_k + h v(x_k, t_k): first order, one NFE per step.

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='EulerSolver', num_steps=50)``
    """

    nfe_per_step = 1

    def __init__(self, num_steps: int = 50) -> None:
        super().__init__(num_steps)

    def step(self, velocity: VelocityFn, x: Tensor, t: float, h: float) -> Tensor:
        """One Euler step from t to t + h."""
        return x + h * velocity(x, time_like(x, t))

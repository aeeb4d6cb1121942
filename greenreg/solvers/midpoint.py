"""The explicit midpoint method."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import VelocityFn
from greenreg.solvers.fixed_step import FixedStepSolver, time_like


@SOLVERS.register_module()
class MidpointSolver(FixedStepSolver):
    """Second order, two NFE per step: x + h v(x + h/2 v(x, t), t + h/2).

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='MidpointSolver', num_steps=25)``
    """

    nfe_per_step = 2

    def __init__(self, num_steps: int = 25) -> None:
        super().__init__(num_steps)

    def step(self, velocity: VelocityFn, x: Tensor, t: float, h: float) -> Tensor:
        """One midpoint step from t to t + h."""
        half = x + 0.5 * h * velocity(x, time_like(x, t))
        return x + h * velocity(half, time_like(x, t + 0.5 * h))

"""Heun's method (explicit trapezoidal rule)."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import VelocityFn
from greenreg.solvers.fixed_step import FixedStepSolver, time_like


@SOLVERS.register_module()
class HeunSolver(FixedStepSolver):
    """Second order, two NFE per step: an Euler predictor, then the average of both slopes.

    Karras et al. 2022 (EDM), Algorithm 1, without noise; here on t in [0, 1].

    Args:
        num_steps (int): number of uniform steps, >= 1.

    Example:
        ``dict(type='HeunSolver', num_steps=15)``
    """

    nfe_per_step = 2

    def __init__(self, num_steps: int = 25) -> None:
        super().__init__(num_steps)

    def step(self, velocity: VelocityFn, x: Tensor, t: float, h: float) -> Tensor:
        """One Heun step from t to t + h."""
        v0 = velocity(x, time_like(x, t))
        v1 = velocity(x + h * v0, time_like(x, t + h))
        return x + 0.5 * h * (v0 + v1)

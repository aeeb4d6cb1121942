"""Heun's method (explicit trapezoidal rule)."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.fixed_step import FixedStepSolver
from greenreg.solvers.model_fn import ModelFn, time_like


@SOLVERS.register_module()
class HeunSolver(FixedStepSolver):
    """Second order, two NFE per step: an Euler predictor, then the average of both slopes.

    Karras et al. 2022 (EDM), Algorithm 1, without noise; here on t in [0, 1].

    Example:
        ``dict(type='HeunSolver')`` (steps: ``model.time_grid``)
    """

    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """One Heun step from t to t + h."""
        v0 = model.velocity(x, time_like(x, t))
        v1 = model.velocity(x + h * v0, time_like(x, t + h))
        return x + 0.5 * h * (v0 + v1)

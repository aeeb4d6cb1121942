"""Explicit Euler."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.fixed_step import FixedStepSolver
from greenreg.solvers.model_fn import ModelFn, time_like


@SOLVERS.register_module()
class EulerSolver(FixedStepSolver):
    """x_{k+1} = x_k + h v(x_k, t_k): first order, one NFE per step.

    Example:
        ``dict(type='EulerSolver')`` (steps: ``model.time_grid``)
    """

    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """One Euler step from t to t + h."""
        return x + h * model.velocity(x, time_like(x, t))

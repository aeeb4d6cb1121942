"""The explicit midpoint method."""

from __future__ import annotations

from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.fixed_step import FixedStepSolver
from greenreg.solvers.model_fn import ModelFn, time_like


@SOLVERS.register_module()
class MidpointSolver(FixedStepSolver):
    """Second order, two NFE per step: x + h v(x + h/2 v(x, t), t + h/2).

    Example:
        ``dict(type='MidpointSolver')`` (steps: ``model.time_grid``)
    """

    def step(self, model: ModelFn, x: Tensor, t: float, h: float) -> Tensor:
        """One midpoint step from t to t + h."""
        half = x + 0.5 * h * model.velocity(x, time_like(x, t))
        return x + h * model.velocity(half, time_like(x, t + 0.5 * h))

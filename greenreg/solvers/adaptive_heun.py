"""Adaptive step size with an embedded Euler/Heun pair (seed 002: threshold 0.01)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.adaptive_base import AdaptiveSolver
from greenreg.solvers.model_fn import ModelFn, time_like


@SOLVERS.register_module()
class AdaptiveHeunSolver(AdaptiveSolver):
    """Heun steps whose size follows the local error estimate ||x_heun - x_euler||.

    The difference between the second-order (Heun) and first-order (Euler) results of a
    step estimates the Euler step's local error; a step is accepted when its RMS over the
    batch is <= ``threshold`` and the next size is h * clip(0.9 sqrt(threshold / err),
    0.2, 5) (Hairer, Norsett & Wanner, Solving ODEs I, Sec. II.4). The slope evaluated at
    the end time of an accepted step starts the next one (first same as last, as
    torchdiffeq's ``adaptive_heun`` does), so each attempt costs one NFE. That slope is
    taken at the Euler predictor, O(h^2) from the accepted Heun state: still second order.

    Args:
        threshold (float): accepted RMS local error per step, > 0.
        initial_step (float): first step size, in (0, 1].
        max_nfe (int): evaluation budget; running out before the end raises.

    Raises:
        RuntimeError: (while sampling) the budget ran out before the grid's end.

    Example:
        ``dict(type='AdaptiveHeunSolver', threshold=0.01)``
    """

    def __init__(
        self, threshold: float = 0.01, initial_step: float = 0.05, max_nfe: int = 1000
    ) -> None:
        super().__init__(max_nfe)
        if not threshold > 0:
            raise ValueError(
                f"AdaptiveHeunSolver.threshold (model.solver.threshold): expected a float > 0, "
                f"got {threshold}."
            )
        if not 0 < initial_step <= 1:
            raise ValueError(
                f"AdaptiveHeunSolver.initial_step (model.solver.initial_step): expected a "
                f"float in (0, 1], got {initial_step}."
            )
        self.threshold, self.initial_step = float(threshold), float(initial_step)

    @torch.no_grad()
    def integrate(self, model: ModelFn, x: Tensor, t: float, t_end: float) -> Tensor:
        """The state x (B, ...) carried from t to t_end under the error threshold."""
        start, h = model.nfe, self.initial_step * (t_end - t)
        v0 = model.velocity(x, time_like(x, t))
        while t < t_end:
            self.check_budget(model.nfe - start, t, t_end)
            h = min(h, t_end - t)
            euler = x + h * v0
            v1 = model.velocity(euler, time_like(x, t + h))
            heun = x + 0.5 * h * (v0 + v1)
            err = float((heun - euler).float().pow(2).mean().sqrt())
            if err <= self.threshold or h <= 1e-4:
                x, t, v0 = heun, t + h, v1
            h *= min(5.0, max(0.2, 0.9 * (self.threshold / max(err, 1e-12)) ** 0.5))
        return x

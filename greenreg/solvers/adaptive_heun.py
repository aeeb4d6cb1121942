"""Adaptive step size with an embedded Euler/Heun pair (seed 002: threshold 0.01)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.registry import SOLVERS
from greenreg.solvers.base import BaseSolver, SolverResult, VelocityFn
from greenreg.solvers.fixed_step import time_like


@SOLVERS.register_module()
class AdaptiveHeunSolver(BaseSolver):
    """Heun steps whose size follows the local error estimate ||x_heun - x_euler||.

    The difference between the second-order (Heun) and first-order (Euler) results of a
    step estimates the Euler step's local error; a step is accepted when its RMS over the
    batch is <= ``threshold`` and the next size is h * clip(0.9 sqrt(threshold / err),
    0.2, 5) (Hairer, Norsett & Wanner, Solving ODEs I, Sec. II.4). Two NFE per attempt.

    Args:
        threshold (float): accepted RMS local error per step, > 0.
        initial_step (float): first step size, in (0, 1].
        max_nfe (int): hard cap on velocity evaluations.

    Example:
        ``dict(type='AdaptiveHeunSolver', threshold=0.01)``
    """

    def __init__(
        self, threshold: float = 0.01, initial_step: float = 0.05, max_nfe: int = 1000
    ) -> None:
        if threshold <= 0:
            raise ValueError(
                f"AdaptiveHeunSolver.threshold (model.solver.threshold): expected a float > 0, "
                f"got {threshold}."
            )
        if not 0 < initial_step <= 1:
            raise ValueError(
                f"AdaptiveHeunSolver.initial_step (model.solver.initial_step): expected a "
                f"float in (0, 1], got {initial_step}."
            )
        self.threshold, self.initial_step, self.max_nfe = threshold, initial_step, max_nfe

    @torch.no_grad()
    def solve(self, velocity: VelocityFn, x0: Tensor) -> SolverResult:
        """Integrates from x0 (B, ...) at t=0 to t=1; returns x1 and the NFE spent."""
        x, t, h, nfe = x0, 0.0, self.initial_step, 0
        v0 = velocity(x, time_like(x, t))
        nfe += 1
        while t < 1.0 and nfe < self.max_nfe:
            h = min(h, 1.0 - t)
            euler = x + h * v0
            v1 = velocity(euler, time_like(x, t + h))
            heun = x + 0.5 * h * (v0 + v1)
            nfe += 1
            err = float((heun - euler).float().pow(2).mean().sqrt())
            if err <= self.threshold or h <= 1e-4:
                x, t = heun, t + h
                if t < 1.0:
                    v0 = velocity(x, time_like(x, t))
                    nfe += 1
            h *= min(5.0, max(0.2, 0.9 * (self.threshold / max(err, 1e-12)) ** 0.5))
        return SolverResult(x1=x, nfe=nfe)

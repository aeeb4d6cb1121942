"""Samplers that step a denoiser's (x1, eps) estimates along the path (DDIM, DDPM)."""

from __future__ import annotations

from abc import abstractmethod

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.solvers.base import BaseSolver, NoiseFn, SolverResult, grid_points
from greenreg.solvers.model_fn import ModelFn, time_like
from greenreg.targets.base import Denoised


class BaseDiffusionSampler(BaseSolver):
    """Steps from grid point to grid point using ``model.denoise`` and the path's alpha, sigma.

    Unlike the ODE solvers these never need the velocity, so they stay exact where it
    diverges (sigma -> 0 on VP paths); one NFE per interval. With a DDPMSpacingTimeGrid the
    points are DDPM's integer steps. Subclasses implement :meth:`step`.

    Args:
        clip_x1 (bool): clamp the x1 estimate to [-1, 1] before each step (and recompute
            eps from it), as DDPM does for images in [-1, 1].
    """

    def __init__(self, clip_x1: bool = False) -> None:
        self.clip_x1 = bool(clip_x1)

    @abstractmethod
    def step(
        self, xt: Tensor, d: Denoised, now: PathCoefficients, nxt: PathCoefficients, noise: NoiseFn
    ) -> Tensor:
        """The state at the next grid time, from x_t and the denoiser's estimate at t."""

    @torch.no_grad()
    def solve(
        self, model: ModelFn, x: Tensor, grid: Tensor, noise: NoiseFn | None = None
    ) -> SolverResult:
        """Steps x from grid[0] to grid[-1]; see :meth:`BaseSolver.solve`."""
        noise = noise or torch.randn_like
        start = model.nfe
        times = grid_points(grid)
        nxt = model.coefficients(x, time_like(x, times[0]))
        for t, t_next in zip(times[:-1], times[1:]):
            now = nxt  # this step's end is the next step's start
            d = model.denoise(x, time_like(x, t))
            if self.clip_x1:
                x1 = d.x1.clamp(-1, 1)
                d = Denoised(x1=x1, eps=(x - now.alpha * x1) / now.sigma)
            nxt = model.coefficients(x, time_like(x, t_next))
            x = self.step(x, d, now, nxt, noise)
        return SolverResult(x1=x, nfe=model.nfe - start)

"""The interface of samplers that step a denoiser (x1, eps estimates) along a path."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.solvers.base import SolverResult
from greenreg.solvers.fixed_step import time_like
from greenreg.targets.base import Denoised

DenoiserFn = Callable[[Tensor, Tensor], Denoised]
NoiseFn = Callable[[Tensor], Tensor]


class BaseDiffusionSampler:
    """Steps from t=start to t=1 on a uniform grid of ``num_steps`` using (x1, eps) estimates.

    Unlike the ODE solvers, which see a velocity field, these see a denoiser
    ``(x (B, ...), t (B,)) -> Denoised`` and the path's alpha, sigma at each grid time, so
    they stay exact where the velocity diverges (sigma -> 0 on VP paths). On the DDPM path
    with ``num_steps`` dividing N the grid lands on DDPM steps. Subclasses implement
    :meth:`step`.

    Args:
        num_steps (int): grid steps, >= 1; NFE = num_steps.
        clip_x1 (bool): clamp the x1 estimate to [-1, 1] before each step (and recompute
            eps from it), as DDPM does for images in [-1, 1].
    """

    def __init__(self, num_steps: int, clip_x1: bool = False) -> None:
        if not isinstance(num_steps, int) or isinstance(num_steps, bool) or num_steps < 1:
            raise ValueError(
                f"{type(self).__name__}.num_steps (model.solver.num_steps): expected an int "
                f">= 1, got {num_steps!r}."
            )
        self.num_steps, self.clip_x1 = num_steps, clip_x1

    @abstractmethod
    def step(
        self, xt: Tensor, d: Denoised, now: PathCoefficients, nxt: PathCoefficients, noise: NoiseFn
    ) -> Tensor:
        """The state at the next grid time, from x_t and the denoiser's estimate at t."""

    @torch.no_grad()
    def solve(
        self,
        denoiser: DenoiserFn,
        x_start: Tensor,
        path: BaseProbabilityPath,
        start: float = 0.0,
        noise: NoiseFn | None = None,
    ) -> SolverResult:
        """Runs the grid from ``start`` to 1; x_start of shape (B, ...) lies at t=start.

        Args:
            denoiser (DenoiserFn): (x, t) -> Denoised.
            x_start (Tensor): initial state (noise scaled by sigma(start)), shape (B, ...).
            path (BaseProbabilityPath): the path the denoiser was trained on.
            start (float): first grid time, in [0, 1).
            noise (NoiseFn | None): x -> standard normal noise like x; per-sample seeded
                generators make samples independent of their batch. None: torch.randn_like.
        """
        noise = noise or torch.randn_like
        grid = torch.linspace(start, 1.0, self.num_steps + 1, dtype=torch.float64).tolist()
        x = x_start
        nxt = path.coefficients(time_like(x, grid[0])).expand_like(x)
        for t, t_next in zip(grid[:-1], grid[1:]):
            now = nxt  # this step's end is the next step's start
            d = denoiser(x, time_like(x, t))
            if self.clip_x1:
                x1 = d.x1.clamp(-1, 1)
                d = Denoised(x1=x1, eps=(x - now.alpha * x1) / now.sigma)
            nxt = path.coefficients(time_like(x, t_next)).expand_like(x)
            x = self.step(x, d, now, nxt, noise)
        return SolverResult(x1=x, nfe=self.num_steps)

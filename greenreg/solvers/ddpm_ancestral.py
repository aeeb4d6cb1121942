"""DDPM ancestral sampling: draw from the forward process's posterior at each step."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import SOLVERS
from greenreg.solvers.base import NoiseFn
from greenreg.solvers.diffusion_base import BaseDiffusionSampler
from greenreg.targets.base import Denoised


@SOLVERS.register_module()
class DDPMAncestralSampler(BaseDiffusionSampler):
    """x_t' ~ q(x_t' | x_t, x1 = estimate) (Ho et al. 2020, Eqs. 6-7, Algorithm 2).

    For a Gaussian forward process from t' to t (t' nearer the data): alpha_{t|t'} =
    alpha / alpha', sigma_{t|t'}^2 = sigma^2 - alpha_{t|t'}^2 sigma'^2. The posterior has
    mean (alpha_{t|t'} sigma'^2 / sigma^2) x_t + (alpha' sigma_{t|t'}^2 / sigma^2) x1 and
    variance sigma_{t|t'}^2 sigma'^2 / sigma^2 (DDPM's beta tilde). On the DDPM path with
    all N steps this is Algorithm 2 with sigma_t^2 = beta tilde; it equals DDIM with eta = 1.

    Args:
        clip_x1 (bool): clamp x1 estimates to [-1, 1] (DDPM's "clip_denoised").

    Example:
        ``dict(type='DDPMAncestralSampler', clip_x1=True)`` with
        ``time_grid=dict(type='DDPMSpacingTimeGrid', num_steps=1000)``: the paper's sampler
    """

    def __init__(self, clip_x1: bool = False) -> None:
        super().__init__(clip_x1)

    def step(
        self, xt: Tensor, d: Denoised, now: PathCoefficients, nxt: PathCoefficients, noise: NoiseFn
    ) -> Tensor:
        """One ancestral step from t to the next grid time t'."""
        alpha_ratio = now.alpha / nxt.alpha
        var_forward = (now.sigma**2 - alpha_ratio**2 * nxt.sigma**2).clamp(min=0)
        mean = (alpha_ratio * nxt.sigma**2 * xt + nxt.alpha * var_forward * d.x1) / now.sigma**2
        std = torch.sqrt(var_forward * nxt.sigma**2 / now.sigma**2)
        return mean + std * noise(mean)

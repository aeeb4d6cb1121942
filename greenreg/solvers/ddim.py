"""DDIM: deterministic (eta = 0) to DDPM-like (eta = 1) steps from (x1, eps) estimates."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import SOLVERS
from greenreg.solvers.base import NoiseFn
from greenreg.solvers.diffusion_base import BaseDiffusionSampler
from greenreg.targets.base import Denoised


@SOLVERS.register_module()
class DDIMSampler(BaseDiffusionSampler):
    """x_t' = alpha' x1 + sqrt(sigma'^2 - s^2) eps + s z (Song et al. 2021, Eq. 12).

    s = eta sigma' sqrt(1 - SNR(t) / SNR(t')), the general-path form of their sigma_t(eta):
    eta = 0 is the probability-flow ODE's first-order solver, eta = 1 has DDPM's posterior
    variance. The last step (sigma' = 0) returns the x1 estimate.

    Args:
        eta (float): stochasticity, >= 0.
        clip_x1 (bool): clamp x1 estimates to [-1, 1].

    Example:
        ``dict(type='DDIMSampler', eta=0.0)`` (steps: ``model.time_grid``)
    """

    def __init__(self, eta: float = 0.0, clip_x1: bool = False) -> None:
        super().__init__(clip_x1)
        if not eta >= 0:
            raise ValueError(
                f"DDIMSampler.eta (model.solver.eta): expected a float >= 0, got {eta}."
            )
        self.eta = float(eta)

    def step(
        self, xt: Tensor, d: Denoised, now: PathCoefficients, nxt: PathCoefficients, noise: NoiseFn
    ) -> Tensor:
        """One DDIM step from t to the next grid time t'."""
        # SNR(t) / SNR(t') as one product: both SNRs can be 0 or inf at the ends
        ratio = (now.alpha * nxt.sigma) ** 2 / (now.sigma * nxt.alpha) ** 2
        s = self.eta * nxt.sigma * torch.sqrt((1 - ratio).clamp(min=0))
        x = nxt.alpha * d.x1 + torch.sqrt((nxt.sigma**2 - s**2).clamp(min=0)) * d.eps
        return x + s * noise(x) if self.eta > 0 else x

"""The continuous variance-preserving schedule with linear betas (VP-SDE)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.registry import PATHS


@PATHS.register_module()
class VPLinearPath(BaseProbabilityPath):
    """alphas_cumprod = exp(-(beta_min tau + (beta_max - beta_min) tau^2 / 2)), tau = 1 - t.

    Song et al. 2021 (score SDE, VP-SDE, Eq. 33); alpha = sqrt(alphas_cumprod),
    sigma = sqrt(1 - alphas_cumprod). sigma' diverges at t=1 (sigma ~ sqrt(1 - t)), so ODE
    samplers stop at t = 1 - 1e-3, as score SDE does, and denoise the last step.

    Args:
        beta_min (float): beta at the data end, > 0.
        beta_max (float): beta at the noise end, > beta_min.

    Example:
        ``dict(type='VPLinearPath', beta_min=0.1, beta_max=20.0)``
    """

    sampling_range = (0.0, 1.0 - 1e-3)

    def __init__(self, beta_min: float = 0.1, beta_max: float = 20.0) -> None:
        if not 0 < beta_min < beta_max:
            raise ValueError(
                f"VPLinearPath.beta_min/beta_max (model.path): expected 0 < beta_min < "
                f"beta_max, got beta_min={beta_min}, beta_max={beta_max}."
            )
        self.beta_min, self.beta_max = beta_min, beta_max

    def coefficients(self, t: Tensor) -> PathCoefficients:
        """Coefficients from log alphas_cumprod(tau) and its derivative; shapes (B,)."""
        tau = 1 - t.double()
        log_abar = -(self.beta_min * tau + 0.5 * (self.beta_max - self.beta_min) * tau**2)
        d_log_abar = self.beta_min + (self.beta_max - self.beta_min) * tau  # d/dt; dtau/dt = -1
        return coefficients_from_log_alphas_cumprod(log_abar, d_log_abar, t.dtype)


def coefficients_from_log_alphas_cumprod(
    log_abar: Tensor, d_log_abar: Tensor, dtype: torch.dtype
) -> PathCoefficients:
    """VP coefficients from log alphas_cumprod and its time derivative, shapes (B,).

    alpha = exp(log_abar / 2), sigma = sqrt(-expm1(log_abar)) (exact near the data end,
    where 1 - alphas_cumprod would cancel), alpha' = alpha d / 2,
    sigma' = -alphas_cumprod d / (2 sigma), which is -inf at sigma = 0.
    """
    alpha = torch.exp(log_abar / 2)
    sigma = torch.sqrt(torch.expm1(log_abar).abs())  # abs: +0, not -0, at the data end
    d_alpha = alpha * d_log_abar / 2
    d_sigma = -(alpha**2) * d_log_abar / (2 * sigma)
    return PathCoefficients(*(c.to(dtype) for c in (alpha, sigma, d_alpha, d_sigma)))

"""The variance-exploding EDM schedule with Karras et al.'s sigma spacing."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.registry import PATHS


@PATHS.register_module()
class KarrasSigmaPath(BaseProbabilityPath):
    """x_t = x1 + sigma(t) x0, sigma(t) = (s_max^(1/rho) + t (s_min^(1/rho) - s_max^(1/rho)))^rho.

    Karras et al. 2022 (EDM, Eq. 5 with the step index i/(N-1) replaced by t): alpha = 1,
    sigma runs from sigma_max (t=0) to sigma_min (t=1). Samplers start from
    sigma_max * N(0, I) and denoise at sigma_min. The backbone sees inputs of scale
    sigma_max: pair it with a preconditioned backbone for training at EDM scale.

    Args:
        sigma_min (float): noise level at t=1, > 0.
        sigma_max (float): noise level at t=0, > sigma_min.
        rho (float): spacing exponent, > 0 (7 in EDM).

    Example:
        ``dict(type='KarrasSigmaPath', sigma_min=0.002, sigma_max=80.0, rho=7.0)``
    """

    def __init__(self, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0):
        if not 0 < sigma_min < sigma_max or rho <= 0:
            raise ValueError(
                f"KarrasSigmaPath.sigma_min/sigma_max/rho (model.path): expected 0 < sigma_min "
                f"< sigma_max and rho > 0, got sigma_min={sigma_min}, sigma_max={sigma_max}, "
                f"rho={rho}."
            )
        self.sigma_min, self.sigma_max, self.rho = sigma_min, sigma_max, rho
        self._root_max = sigma_max ** (1 / rho)
        self._root_span = sigma_min ** (1 / rho) - self._root_max

    def coefficients(self, t: Tensor) -> PathCoefficients:
        """Alpha = 1, alpha' = 0, sigma(t), sigma' = rho sigma^((rho-1)/rho) span."""
        root = self._root_max + t.double() * self._root_span
        sigma = root**self.rho
        d_sigma = self.rho * root ** (self.rho - 1) * self._root_span
        one = torch.ones_like(sigma)
        return PathCoefficients(
            *(c.to(t.dtype) for c in (one, sigma, torch.zeros_like(sigma), d_sigma))
        )

    def t_from_log_snr(self, log_snr: Tensor) -> Tensor:
        """T from sigma = exp(-log_snr / 2), float64."""
        sigma = torch.exp(-log_snr.double() / 2)
        return (sigma ** (1 / self.rho) - self._root_max) / self._root_span

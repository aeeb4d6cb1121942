"""The straight-line (rectified flow / conditional OT) path."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.registry import PATHS


@PATHS.register_module()
class LinearPath(BaseProbabilityPath):
    """x_t = (1 - t) x0 + t x1, so d x_t / d t = x1 - x0.

    Liu et al. 2023 (rectified flow), Lipman et al. 2023 (CondOT path, Eq. 20 with
    sigma_min = 0): alpha_t = t, sigma_t = 1 - t, log SNR = 2 log(t / (1 - t)).

    Example:
        ``dict(type='LinearPath')``
    """

    def coefficients(self, t: Tensor) -> PathCoefficients:
        """The coefficients alpha = t, sigma = 1 - t, alpha' = 1, sigma' = -1; shapes (B,)."""
        one = torch.ones_like(t)
        return PathCoefficients(alpha=t, sigma=1 - t, d_alpha=one, d_sigma=-one)

    def t_from_log_snr(self, log_snr: Tensor) -> Tensor:
        """T = sigmoid(log_snr / 2), float64."""
        return torch.sigmoid(log_snr.double() / 2)

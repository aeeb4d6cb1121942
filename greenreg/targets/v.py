"""v-prediction (Salimans & Ho 2022)."""

from __future__ import annotations

from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import TARGETS
from greenreg.targets.base import BasePredictionTarget, Denoised, safe_abs


@TARGETS.register_module()
class VTarget(BasePredictionTarget):
    """The backbone predicts v = alpha eps - sigma x1 (Salimans & Ho 2022, Sec. 4; seed 000).

    Invertible at every t: x1 = (alpha x_t - sigma v) / (alpha^2 + sigma^2) and
    eps = (sigma x_t + alpha v) / (alpha^2 + sigma^2). Error gain
    (alpha^2 + sigma^2) / sigma, which is sqrt(SNR + 1) on VP paths.

    Example:
        ``dict(type='VTarget')``
    """

    def from_denoised(self, denoised: Denoised, c: PathCoefficients) -> Tensor:
        """V = alpha eps - sigma x1."""
        return c.alpha * denoised.eps - c.sigma * denoised.x1

    def to_denoised(self, prediction: Tensor, xt: Tensor, c: PathCoefficients) -> Denoised:
        """Solves x_t and v for (x1, eps)."""
        norm = c.alpha**2 + c.sigma**2
        return Denoised(
            x1=(c.alpha * xt - c.sigma * prediction) / norm,
            eps=(c.sigma * xt + c.alpha * prediction) / norm,
        )

    def x1_error_gain(self, c: PathCoefficients) -> Tensor:
        """(alpha^2 + sigma^2) / sigma."""
        return (safe_abs(c.alpha) ** 2 + safe_abs(c.sigma) ** 2) / safe_abs(c.sigma)

"""Noise (epsilon) prediction."""

from __future__ import annotations

from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import TARGETS
from greenreg.targets.base import BasePredictionTarget, Denoised, check_invertible, safe_abs


@TARGETS.register_module()
class EpsilonTarget(BasePredictionTarget):
    """The backbone predicts the source eps (Ho et al. 2020, Eq. 14).

    x1 = (x_t - sigma eps) / alpha: undefined where alpha = 0 (pure noise, t=0 on the
    linear and cosine paths). Error gain alpha / sigma, i.e. sqrt(SNR).

    Example:
        ``dict(type='EpsilonTarget')``
    """

    def from_denoised(self, denoised: Denoised, c: PathCoefficients) -> Tensor:
        """Eps itself."""
        return denoised.eps

    def singular(self, c: PathCoefficients) -> Tensor:
        """True where alpha = 0."""
        return c.alpha == 0

    def to_denoised(self, prediction: Tensor, xt: Tensor, c: PathCoefficients) -> Denoised:
        """x1 = (x_t - sigma eps) / alpha."""
        check_invertible("EpsilonTarget", c.alpha, "alpha", c)
        return Denoised(x1=(xt - c.sigma * prediction) / c.alpha, eps=prediction)

    def x1_error_gain(self, c: PathCoefficients) -> Tensor:
        """The ratio alpha / sigma (inf at the data end)."""
        return safe_abs(c.alpha) / safe_abs(c.sigma)

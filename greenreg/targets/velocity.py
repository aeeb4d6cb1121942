"""Velocity (flow-matching) prediction."""

from __future__ import annotations

from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import TARGETS
from greenreg.targets.base import BasePredictionTarget, Denoised, check_invertible, safe_abs


@TARGETS.register_module()
class VelocityTarget(BasePredictionTarget):
    """The backbone predicts u = alpha' x1 + sigma' eps = d x_t / d t (Lipman et al. 2023).

    With det = alpha sigma' - sigma alpha': x1 = (sigma' x_t - sigma u) / det and
    eps = (alpha u - alpha' x_t) / det. Error gain |det| / sigma.

    Example:
        ``dict(type='VelocityTarget')``
    """

    def from_denoised(self, denoised: Denoised, c: PathCoefficients) -> Tensor:
        """U = alpha' x1 + sigma' eps."""
        return c.d_alpha * denoised.x1 + c.d_sigma * denoised.eps

    def singular(self, c: PathCoefficients) -> Tensor:
        """True where alpha sigma' - sigma alpha' = 0."""
        return c.alpha * c.d_sigma - c.sigma * c.d_alpha == 0

    def to_denoised(self, prediction: Tensor, xt: Tensor, c: PathCoefficients) -> Denoised:
        """Solves x_t and u for (x1, eps)."""
        det = c.alpha * c.d_sigma - c.sigma * c.d_alpha
        check_invertible("VelocityTarget", det, "alpha sigma' - sigma alpha'", c)
        return Denoised(
            x1=(c.d_sigma * xt - c.sigma * prediction) / det,
            eps=(c.alpha * prediction - c.d_alpha * xt) / det,
        )

    def x1_error_gain(self, c: PathCoefficients) -> Tensor:
        """|alpha sigma' - sigma alpha'| / sigma."""
        det = safe_abs(c.alpha) * c.d_sigma.double() - safe_abs(c.sigma) * c.d_alpha.double()
        return det.abs() / safe_abs(c.sigma)

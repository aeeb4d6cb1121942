"""Clean-data prediction (x0 in DDPM notation, x1 here)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import TARGETS
from greenreg.targets.base import BasePredictionTarget, Denoised, check_invertible


@TARGETS.register_module()
class DataTarget(BasePredictionTarget):
    """The backbone predicts the clean data x1 (Ho et al. 2020's "predict x_0" variant).

    eps = (x_t - alpha x1) / sigma: undefined where sigma = 0 (t=1 on linear and VP paths).
    Error gain 1.

    Example:
        ``dict(type='DataTarget')``
    """

    def from_denoised(self, denoised: Denoised, c: PathCoefficients) -> Tensor:
        """x1 itself."""
        return denoised.x1

    def singular(self, c: PathCoefficients) -> Tensor:
        """True where sigma = 0."""
        return c.sigma == 0

    def to_denoised(self, prediction: Tensor, xt: Tensor, c: PathCoefficients) -> Denoised:
        """Eps = (x_t - alpha x1) / sigma."""
        check_invertible("DataTarget", c.sigma, "sigma", c)
        return Denoised(x1=prediction, eps=(xt - c.alpha * prediction) / c.sigma)

    def x1_error_gain(self, c: PathCoefficients) -> Tensor:
        """1."""
        return torch.ones_like(c.alpha, dtype=torch.float64)

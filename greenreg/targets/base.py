"""The prediction-target interface: what the backbone regresses, and exact conversions."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients


@dataclass
class Denoised:
    """The pair every target converts through.

    Attributes:
        x1 (Tensor): data estimate (x0 in DDPM notation), shape (B, ...).
        eps (Tensor): source / noise estimate (x0 here), shape (B, ...).
    """

    x1: Tensor
    eps: Tensor


class BasePredictionTarget(metaclass=ABCMeta):
    """A parametrisation of the backbone's output on an affine path.

    Given x_t = alpha x1 + sigma eps, each target is a linear function of (x1, eps)
    (:meth:`from_denoised`, which is also the regression target), and with x_t known the
    pair can be recovered from the prediction (:meth:`to_denoised`). So a backbone trained
    with one target can be sampled through any other, on any path. Coefficients come from
    ``path.coefficients(t).expand_like(x)``.
    """

    @abstractmethod
    def from_denoised(self, denoised: Denoised, c: PathCoefficients) -> Tensor:
        """The target for data x1 and source eps, shape (B, ...)."""

    @abstractmethod
    def to_denoised(self, prediction: Tensor, xt: Tensor, c: PathCoefficients) -> Denoised:
        """(x1, eps) implied by a prediction at x_t, shapes (B, ...)."""

    @abstractmethod
    def x1_error_gain(self, c: PathCoefficients) -> Tensor:
        """|d target / d x1| with x_t held fixed, shape (B,).

        An error e in x1 is an error gain * e in this target, so a weight w on the x1
        error is w / gain^2 on this target's squared error (used by MinSNRWeighting).
        """

    def singular(self, c: PathCoefficients) -> Tensor:
        """Where :meth:`to_denoised` would divide by zero, shape of ``c.alpha``, bool.

        Default: nowhere; targets with a divisor override it.
        """
        return torch.zeros_like(c.alpha, dtype=torch.bool)

    def convert(
        self, prediction: Tensor, xt: Tensor, c: PathCoefficients, to: BasePredictionTarget
    ) -> Tensor:
        """This target's prediction expressed as target ``to``; shapes (B, ...)."""
        return to.from_denoised(self.to_denoised(prediction, xt, c), c)


def check_invertible(owner: str, denominator: Tensor, what: str, c: PathCoefficients) -> None:
    """Raises ValueError where a conversion would divide by zero.

    Args:
        owner (str): the target's class name, for the message.
        denominator (Tensor): the divisor, broadcastable to (B, ...).
        what (str): the formula's name for the divisor, e.g. ``"alpha"``.
        c (PathCoefficients): coefficients, to report the offending alpha and sigma.
    """
    bad = denominator == 0
    if bool(bad.any()):
        index = int(bad.flatten().nonzero()[0])
        alpha, sigma = float(c.alpha.flatten()[index]), float(c.sigma.flatten()[index])
        raise ValueError(
            f"{owner}: cannot convert where {what} = 0 (alpha={alpha:g}, sigma={sigma:g}); "
            f"expected a time strictly inside the path's range for this target: sample from "
            f"t > 0 or t < 1, or train another target."
        )


def safe_abs(x: Tensor) -> Tensor:
    """|x| as float64, so squared gains of 1e-300 .. 1e300 neither under- nor overflow."""
    return torch.as_tensor(x).double().abs()

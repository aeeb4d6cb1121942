"""The probability-path interface: x_t = alpha(t) x1 + sigma(t) x0 and its conversions."""

from __future__ import annotations

from abc import ABCMeta, abstractmethod
from dataclasses import dataclass

import torch
from torch import Tensor

from greenreg.utils import check_in_range


@dataclass
class PathSample:
    """A point on the path and its regression target.

    Attributes:
        xt (Tensor): state at time t, shape (B, ...).
        v_target (Tensor): conditional velocity d x_t / d t, shape (B, ...).
        t (Tensor): times, shape (B,), in [0, 1]; t=1 is data.
    """

    xt: Tensor
    v_target: Tensor
    t: Tensor


@dataclass
class PathCoefficients:
    """alpha, sigma and their time derivatives at a batch of times.

    Attributes:
        alpha (Tensor): data coefficient, shape (B,) or (B, 1, ..., 1).
        sigma (Tensor): source (noise) coefficient, same shape.
        d_alpha (Tensor): d alpha / d t, same shape.
        d_sigma (Tensor): d sigma / d t, same shape.
    """

    alpha: Tensor
    sigma: Tensor
    d_alpha: Tensor
    d_sigma: Tensor

    def expand_like(self, x: Tensor) -> PathCoefficients:
        """The coefficients reshaped to (B, 1, ..., 1) in x's dtype, to broadcast against x."""
        return PathCoefficients(*(expand_like(c, x) for c in self.as_tuple()))

    def as_tuple(self) -> tuple[Tensor, Tensor, Tensor, Tensor]:
        """(alpha, sigma, d_alpha, d_sigma)."""
        return self.alpha, self.sigma, self.d_alpha, self.d_sigma


def check_times(owner: str, t: Tensor, batch_size: int) -> None:
    """Raises ValueError unless t has shape (batch_size,) and lies in [0, 1]."""
    if t.shape != (batch_size,):
        raise ValueError(f"{owner}: t must have shape ({batch_size},); got {tuple(t.shape)}.")
    check_in_range(owner, "t", t, 0.0, 1.0)


def expand_like(t: Tensor, x: Tensor) -> Tensor:
    """Reshapes t of shape (B,) to (B, 1, ..., 1) to broadcast against x."""
    return t.reshape(-1, *([1] * (x.dim() - 1))).to(x.dtype)


class BaseProbabilityPath(metaclass=ABCMeta):
    """An affine path from a source x0 (t=0) to data x1 (t=1).

    x_t = alpha(t) x1 + sigma(t) x0 and u_t = alpha'(t) x1 + sigma'(t) x0 (Lipman et al.
    2024, "Flow Matching Guide and Code", Sec. 4.8); with Gaussian x0 this is a diffusion
    noise schedule read backwards (alpha = sqrt(alphas_cumprod), sigma = sqrt(1 - it) for
    VP). Subclasses implement :meth:`coefficients`; conversions between t, alpha, sigma and
    log SNR, the training pair and the data estimate follow from it.

    Attributes:
        sampling_range (tuple[float, float]): the times an ODE sampler integrates over; a
            path whose velocity diverges at t=1 (VP linear-beta, DDPM) stops short and
            denoises the last step.
    """

    sampling_range: tuple[float, float] = (0.0, 1.0)

    @abstractmethod
    def coefficients(self, t: Tensor) -> PathCoefficients:
        """alpha, sigma and derivatives at t of shape (B,) in [0, 1]; each of shape (B,)."""

    def _checked_coefficients(self, t: Tensor, batch_size: int) -> PathCoefficients:
        check_times(f"{type(self).__name__}", t, batch_size)
        return self.coefficients(t)

    def sample(self, x0: Tensor, x1: Tensor, t: Tensor) -> PathSample:
        """x0, x1 of shape (B, ...), t of shape (B,) in [0, 1] -> PathSample."""
        if x0.shape != x1.shape:
            raise ValueError(
                f"{type(self).__name__}.sample: x0 and x1 must have the same shape; got "
                f"{tuple(x0.shape)} and {tuple(x1.shape)}."
            )
        a, s, da, ds = self._checked_coefficients(t, x1.shape[0]).expand_like(x1).as_tuple()
        return PathSample(xt=a * x1 + s * x0, v_target=da * x1 + ds * x0, t=t)

    def predict_x1(self, xt: Tensor, velocity: Tensor, t: Tensor) -> Tensor:
        """The data estimate implied by a velocity at (xt, t): solve x_t, u_t for x1.

        x1 = (sigma' x_t - sigma u) / (alpha sigma' - sigma alpha'); shapes (B, ...), (B,).
        """
        a, s, da, ds = self._checked_coefficients(t, xt.shape[0]).expand_like(xt).as_tuple()
        return (ds * xt - s * velocity) / (a * ds - s * da)

    def log_snr(self, t: Tensor) -> Tensor:
        """log(alpha^2 / sigma^2) at t of shape (B,), float64; -inf at pure noise."""
        c = self._checked_coefficients(t, t.shape[0])
        return 2 * (c.alpha.double().log() - c.sigma.double().log())

    def t_from_log_snr(self, log_snr: Tensor) -> Tensor:
        """The time of a given log SNR, shape (B,), float64.

        Bisection on the (increasing) log SNR; subclasses with a closed form override it.
        """
        low = torch.zeros_like(log_snr, dtype=torch.float64)
        high = torch.ones_like(low)
        for _ in range(60):  # 2^-60: below float64 resolution on [0, 1]
            mid = (low + high) / 2
            below = self.log_snr(mid) < log_snr
            low, high = torch.where(below, mid, low), torch.where(below, high, mid)
        return (low + high) / 2

    def schedule_constants(self, num_points: int = 1000) -> dict[str, list[float]]:
        """alpha^2 (``alphas_cumprod``) and log SNR on a grid from data to noise.

        The grid runs t = 1 - (k + 1) / num_points, k = 0 .. num_points - 1, so index 0 is
        the least noisy step as in DDPM; used by TensorStatsHook and tools/diagnose.py.
        """
        t = 1 - torch.arange(1, num_points + 1, dtype=torch.float64) / num_points
        c = self.coefficients(t)
        return dict(
            alphas_cumprod=c.alpha.double().pow(2).tolist(),
            log_snr=self.log_snr(t).tolist(),
        )

"""The variance-preserving cosine schedule."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from greenreg.paths.base import BaseProbabilityPath, PathCoefficients
from greenreg.registry import PATHS


@PATHS.register_module()
class VPCosinePath(BaseProbabilityPath):
    """alpha = sin(pi t / 2), sigma = cos(pi t / 2): alpha^2 + sigma^2 = 1 at every t.

    Nichol & Dhariwal 2021 (Eq. 17) without the offset s, read with t=1 at data; the same
    schedule as flow_matching's CosineScheduler. log SNR = 2 log tan(pi t / 2).

    It starts at SNR 0 (alpha = 0), where an eps prediction says nothing about x1: an eps
    model samples from ``sampling_start`` > 0 instead (t = 0.02 is log SNR -6.9).

    Args:
        sampling_start (float): the first time samplers evaluate the model, in [0, 1).

    Example:
        ``dict(type='VPCosinePath')``; for an eps target ``dict(type='VPCosinePath',
        sampling_start=0.02)``
    """

    def __init__(self, sampling_start: float = 0.0) -> None:
        if not 0 <= sampling_start < 1:
            raise ValueError(
                f"VPCosinePath.sampling_start (model.path.sampling_start): expected a float in "
                f"[0, 1), got {sampling_start}."
            )
        self.sampling_range = (float(sampling_start), 1.0)

    def coefficients(self, t: Tensor) -> PathCoefficients:
        """Sin/cos coefficients and their derivatives, shapes (B,)."""
        # sin of the complement, not cos: cos(pi / 2) is 6e-17 (float64) or -4e-8 (float32),
        # while sigma must be exactly 0 at the data end
        alpha = torch.sin(t.double() * (math.pi / 2))
        sigma = torch.sin((1 - t.double()) * (math.pi / 2))
        coefficients = (alpha, sigma, (math.pi / 2) * sigma, -(math.pi / 2) * alpha)
        return PathCoefficients(*(c.to(t.dtype) for c in coefficients))

    def t_from_log_snr(self, log_snr: Tensor) -> Tensor:
        """T = (2 / pi) atan(exp(log_snr / 2)), float64."""
        return torch.atan(torch.exp(log_snr.double() / 2)) * (2 / math.pi)

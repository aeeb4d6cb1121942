"""Min-SNR-gamma loss weighting (Hang et al. 2023), for any prediction target."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import LOSS_WEIGHTINGS
from greenreg.targets.base import BasePredictionTarget


@LOSS_WEIGHTINGS.register_module()
class MinSNRWeighting:
    """Weight min(SNR, gamma) on the data (x1) error, carried to the target's error.

    Hang et al. 2023 ("Efficient Diffusion Training via Min-SNR Weighting Strategy"): the
    x1 error is weighted min(SNR, gamma). A target whose error is gain * (x1 error) gets
    min(SNR, gamma) / gain^2, which gives the paper's forms on VP paths:

    - data (x0) target: min(SNR, gamma);
    - eps target: min(SNR, gamma) / SNR (the division seed 000 once forgot);
    - v target: min(SNR, gamma) / (SNR + 1) (diffusers had /SNR until PR #6307);
    - velocity: min(SNR, gamma) sigma^2 / (alpha sigma' - sigma alpha')^2.

    Limits are taken, not divided: eps at SNR = 0 gets 1, and a zero-terminal-SNR end gets
    weight 0 for v (diffusers #9451), never NaN.

    Args:
        gamma (float): the SNR clip, > 0 (5 in the paper and seed 000).

    Example:
        ``dict(type='MinSNRWeighting', gamma=5.0)``
    """

    def __init__(self, gamma: float = 5.0) -> None:
        if not gamma > 0:
            raise ValueError(
                f"MinSNRWeighting.gamma (model.weighting.gamma): expected a float > 0, got {gamma}."
            )
        self.gamma = float(gamma)

    def __call__(self, c: PathCoefficients, target: BasePredictionTarget) -> Tensor:
        """Per-sample weights, shape (B,), float32.

        Args:
            c (PathCoefficients): coefficients at the batch's times, each of shape (B,).
            target (BasePredictionTarget): the target the loss is computed on.
        """
        snr = (c.alpha.double() / c.sigma.double()) ** 2  # inf at sigma = 0
        clipped = snr.clamp(max=self.gamma)
        gain_sq = target.x1_error_gain(c) ** 2
        # 0 / 0 only where the gain vanishes with the SNR (eps at pure noise): limit 1
        weight = torch.where(gain_sq > 0, clipped / gain_sq, torch.ones_like(snr))
        return torch.nan_to_num(weight, nan=1.0).float()

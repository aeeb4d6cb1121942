"""The weighting that turns any target's squared error into the velocity's (flow-matching) loss."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.paths.base import PathCoefficients
from greenreg.registry import LOSS_WEIGHTINGS
from greenreg.targets import VelocityTarget
from greenreg.targets.base import BasePredictionTarget


@LOSS_WEIGHTINGS.register_module()
class VelocityLossWeighting:
    """Weight (g_v / g)^2 on a target's error, so it equals the velocity's squared error.

    Li & He 2025 ("Back to Basics: Let Denoising Generative Models Denoise", JiT): a network
    that predicts the clean data x1 but is trained on the flow-matching (velocity) loss. A
    target's error is ``g * (x1 error)`` (its :meth:`x1_error_gain`), so weighting it by
    (g_v / g)^2 trains the velocity loss whatever the network predicts. On the linear path
    the velocity's gain is 1 / (1 - t): an x1 error counts 1 / (1 - t)^2. That diverges at
    the data end, so the weight is capped at ``max_weight`` (JiT clips 1 - t at 0.05, i.e.
    400), and a target whose gain vanishes gets the cap.

    Args:
        max_weight (float): the cap, > 0.

    Example:
        ``dict(type='VelocityLossWeighting', max_weight=400.0)``
    """

    def __init__(self, max_weight: float = 400.0) -> None:
        if not max_weight > 0:
            raise ValueError(
                "VelocityLossWeighting.max_weight (model.weighting.max_weight): expected a "
                f"float > 0, got {max_weight}."
            )
        self.max_weight = float(max_weight)
        self.velocity = VelocityTarget()

    def __call__(self, c: PathCoefficients, target: BasePredictionTarget) -> Tensor:
        """Per-sample weights, shape (B,), float32, in (0, max_weight].

        Args:
            c (PathCoefficients): coefficients at the batch's times, each of shape (B,).
            target (BasePredictionTarget): the target the loss is computed on.
        """
        ratio = (self.velocity.x1_error_gain(c) / target.x1_error_gain(c)) ** 2
        weight = torch.nan_to_num(ratio, nan=self.max_weight, posinf=self.max_weight)
        return weight.clamp(max=self.max_weight).float()

"""Mean squared error at several resolutions of a map (seed 000's multi-scale consistency)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class MultiScaleMSELoss(nn.Module):
    """sum_s MSE(avgpool_s(pred), avgpool_s(target)) / len(scales), per sample.

    A map matched only pixel by pixel may miss its large-scale structure (a local density
    of states averaged over a few sites, what a broader STM tip sees) and the other way
    round; pooling by each factor s in ``scales`` weighs both.

    Args:
        scales (tuple[int, ...]): average-pooling factors, each >= 1; 1 = full resolution.

    Example:
        ``dict(type='MultiScaleMSELoss', scales=(1, 2, 4))``
    """

    def __init__(self, scales: tuple | list = (1, 2, 4)) -> None:
        super().__init__()
        if not scales or any(not isinstance(s, int) or s < 1 for s in scales):
            raise ValueError(
                f"MultiScaleMSELoss.scales (*.scales): expected a non-empty list of ints >= 1, "
                f"got {scales!r}."
            )
        self.scales = tuple(scales)

    def forward(self, pred: Tensor, target: Tensor) -> Tensor:
        """pred, target of shape (B, C, H, W) -> per-sample loss (B,), not reduced."""
        pred, target = pred.float(), target.float()
        total = 0.0
        for s in self.scales:
            p = F.avg_pool2d(pred, s) if s > 1 else pred
            q = F.avg_pool2d(target, s) if s > 1 else target
            total = total + (p - q).pow(2).flatten(1).mean(1)
        return total / len(self.scales)

"""Cosine distance between feature vectors (seed 003's feature loss)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class CosineDistanceLoss(nn.Module):
    """1 - cos(a, b) per sample: 0 for parallel features, 2 for opposite ones.

    Example:
        ``loss=dict(type='CosineDistanceLoss')`` on ``['one_step_features', 'x1_features']``
    """

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        """a, b of shape (B, D) (or (B, ...), flattened) -> per-sample loss (B,) in [0, 2]."""
        return 1 - F.cosine_similarity(a.float().flatten(1), b.float().flatten(1), dim=1)

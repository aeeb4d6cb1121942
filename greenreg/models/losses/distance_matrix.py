"""Distance-matrix preservation: a batch keeps the geometry of its targets (seed 003)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS


def scaled_distances(x: Tensor) -> Tensor:
    """Pairwise Euclidean distances of x (B, D) divided by their mean off the diagonal, (B, B)."""
    d = torch.cdist(x, x)  # (B, B)
    off_diagonal = d.sum() / max(x.shape[0] * (x.shape[0] - 1), 1)
    return d / off_diagonal.clamp_min(1e-12)


@MODELS.register_module()
class DistanceMatrixLoss(nn.Module):
    """Mean squared difference of the batch's two scaled distance matrices, per row.

    The Gromov half of seed 003's objective as a loss: the generated features' pairwise
    distances should match those of the data features they were coupled with (for a memory
    coupling, the bank entries the plan chose; seed 003's bug compared a batch x memory plan
    with a batch x batch matrix). Each matrix is divided by its mean off-diagonal distance,
    so only the geometry counts, not the features' overall scale.

    Example:
        ``loss=dict(type='DistanceMatrixLoss')`` on ``['one_step_features', 'x1_features']``
    """

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        """Features a (B, D) and their targets b (B, D) -> per-sample loss (B,).

        Raises:
            ValueError: the two batches differ in size, or fewer than 2 samples.
        """
        if a.shape[0] != b.shape[0] or a.shape[0] < 2:
            raise ValueError(
                f"DistanceMatrixLoss: expected two batches of one size >= 2, got "
                f"{tuple(a.shape)} and {tuple(b.shape)}."
            )
        da, db = scaled_distances(a.float().flatten(1)), scaled_distances(b.float().flatten(1))
        return (da - db).pow(2).mean(1)

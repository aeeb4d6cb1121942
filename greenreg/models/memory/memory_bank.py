"""A FIFO bank of data features, kept in the model's state so a resumed run has the same bank."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS
from greenreg.utils import check_int


@MODELS.register_module()
class MemoryBank(nn.Module):
    """The last ``size`` data feature vectors, oldest replaced first (seed 003).

    The features, the write position and the fill count are buffers: they are saved in every
    checkpoint and restored by ``--resume``, so a resumed run couples against the bank it
    left (a bank rebuilt empty would change the couplings of the next steps).

    Args:
        size (int): M, the number of features kept.
        feature_dim (int): D, the width of each feature.

    Raises:
        ValueError: a push of another width, or a non-finite feature (names the rows).

    Example:
        ``dict(type='MemoryBank', size=4096, feature_dim=128)``
    """

    def __init__(self, size: int = 4096, feature_dim: int = 128) -> None:
        super().__init__()
        check_int("MemoryBank.size (model.memory_bank.size)", size, 1)
        check_int("MemoryBank.feature_dim (model.memory_bank.feature_dim)", feature_dim, 1)
        self.size, self.feature_dim = size, feature_dim
        self.register_buffer("features", torch.zeros(size, feature_dim))
        self.register_buffer("position", torch.zeros((), dtype=torch.long))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))

    def __len__(self) -> int:
        return int(self.count)

    @torch.no_grad()
    def push(self, features: Tensor) -> None:
        """Appends features (B, D), overwriting the oldest once the bank is full."""
        if features.dim() != 2 or features.shape[1] != self.feature_dim:
            raise ValueError(
                f"MemoryBank.push: features must have shape (B, {self.feature_dim}); expected "
                f"the bank's feature_dim, got {tuple(features.shape)}."
            )
        bad = (~torch.isfinite(features).all(1)).nonzero().flatten().tolist()
        if bad:
            raise ValueError(
                f"MemoryBank.push: expected finite features, got NaN or Inf in rows {bad[:8]}."
            )
        features = features.detach()[-self.size :].to(self.features)
        index = self.position + torch.arange(len(features), device=self.features.device)
        self.features[index % self.size] = features
        self.position.copy_((self.position + len(features)) % self.size)
        self.count.copy_(torch.clamp(self.count + len(features), max=self.size))

    def contents(self) -> Tensor:
        """The features held, shape (min(count, M), D), oldest first once full."""
        if int(self.count) < self.size:
            return self.features[: int(self.count)]
        return torch.roll(self.features, -int(self.position), dims=0)

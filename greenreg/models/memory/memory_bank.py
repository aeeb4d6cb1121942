"""A FIFO bank of data features, kept in the model's state so a resumed run has the same bank."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from greenreg.registry import MODELS
from greenreg.utils import check_int


@dataclass
class MemoryDraw:
    """Entries drawn from a MemoryBank.

    Attributes:
        features (Tensor): shape (K, D).
        items (Tensor | None): shape (K, *item_shape), None when the bank keeps no items.
        rows (Tensor): their rows in the bank, shape (K,), int64.
    """

    features: Tensor
    items: Tensor | None
    rows: Tensor


@MODELS.register_module()
class MemoryBank(nn.Module):
    """The last ``size`` data feature vectors, oldest replaced first (seed 003).

    The features, the write position and the fill count are buffers: they are saved in every
    checkpoint and restored by ``--resume``, so a resumed run couples against the bank it
    left (a bank rebuilt empty would change the couplings of the next steps). With
    ``item_shape`` the bank also keeps the data items the features came from (the images a
    coupling's choice becomes the target of).

    Args:
        size (int): M, the number of features kept.
        feature_dim (int): D, the width of each feature.
        item_shape (tuple[int, ...] | None): shape of one stored item, e.g. (1, 32, 32);
            None keeps features only.

    Raises:
        ValueError: a push of another width or item shape, items missing or given where
            they are not kept, or a non-finite feature (names the rows).

    Example:
        ``dict(type='MemoryBank', size=4096, feature_dim=128)``
    """

    def __init__(
        self, size: int = 4096, feature_dim: int = 128, item_shape: tuple | list | None = None
    ) -> None:
        super().__init__()
        check_int("MemoryBank.size (model.memory_bank.size)", size, 1)
        check_int("MemoryBank.feature_dim (model.memory_bank.feature_dim)", feature_dim, 1)
        self.size, self.feature_dim = size, feature_dim
        self.register_buffer("features", torch.zeros(size, feature_dim))
        self.register_buffer("position", torch.zeros((), dtype=torch.long))
        self.register_buffer("count", torch.zeros((), dtype=torch.long))
        self.item_shape = None if item_shape is None else tuple(int(n) for n in item_shape)
        if self.item_shape is not None:
            self.register_buffer("items", torch.zeros(size, *self.item_shape))

    def __len__(self) -> int:
        return int(self.count)

    @torch.no_grad()
    def push(self, features: Tensor, items: Tensor | None = None) -> None:
        """Appends features (B, D) (and items (B, *item_shape)), overwriting the oldest."""
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
        self._check_items(features, items)
        features = features.detach()[-self.size :].to(self.features)
        index = self.position + torch.arange(len(features), device=self.features.device)
        self.features[index % self.size] = features
        if items is not None:
            self.items[index % self.size] = items.detach()[-self.size :].to(self.items)
        self.position.copy_((self.position + len(features)) % self.size)
        self.count.copy_(torch.clamp(self.count + len(features), max=self.size))

    def _check_items(self, features: Tensor, items: Tensor | None) -> None:
        if (items is None) != (self.item_shape is None):
            expected = "None" if self.item_shape is None else f"(B, *{self.item_shape})"
            got = "None" if items is None else tuple(items.shape)
            raise ValueError(
                f"MemoryBank.push: items must be given exactly when the bank keeps them "
                f"(item_shape); expected items {expected}, got {got}."
            )
        if items is not None and (
            tuple(items.shape[1:]) != self.item_shape or len(items) != len(features)
        ):
            raise ValueError(
                f"MemoryBank.push: expected one item of shape {self.item_shape} per feature "
                f"({len(features)}), got items {tuple(items.shape)}."
            )

    @torch.no_grad()
    def draw(self, count: int, generator: torch.Generator | None = None) -> MemoryDraw:
        """``count`` distinct held entries at random (all of them if fewer are held).

        Args:
            count (int): K, how many entries to draw.
            generator (torch.Generator | None): on the bank's device.

        Returns:
            MemoryDraw: features (K', D), items (K', ...) or None, and their bank rows (K',),
            K' = min(K, held).
        """
        held = len(self)
        rows = torch.randperm(held, device=self.features.device, generator=generator)[:count]
        items = None if self.item_shape is None else self.items[rows]
        return MemoryDraw(self.features[rows], items, rows)

    def contents(self) -> Tensor:
        """The features held, shape (min(count, M), D), oldest first once full."""
        if int(self.count) < self.size:
            return self.features[: int(self.count)]
        return torch.roll(self.features, -int(self.position), dims=0)

"""Data-to-data flows: the source is another image of the same batch (style transfer)."""

from __future__ import annotations

from torch import Tensor

from greenreg.models.sources.base import BaseSource, SourceDraw
from greenreg.registry import MODELS


@MODELS.register_module()
class PairedDataSource(BaseSource):
    """x0 = batch[key]: e.g. structure images flowing to styled ones (seed 002).

    Args:
        key (str): the batch key holding the source images, same shape as the data.

    Example:
        ``source=dict(type='PairedDataSource', key='source')``
    """

    def __init__(self, key: str = "source") -> None:
        super().__init__()
        self.key, self.keys = key, (key,)

    def _take(self, batch: dict) -> Tensor:
        if self.key not in batch:
            raise KeyError(
                f"PairedDataSource.key (model.source.key): the batch has no {self.key!r}; "
                f"expected the source images there, got keys {sorted(batch)}."
            )
        return batch[self.key].float()

    def forward(self, batch: dict, x1: Tensor) -> SourceDraw:
        """The batch's source images (B, ...)."""
        x0 = self._take(batch)
        if x0.shape != x1.shape:
            raise ValueError(
                f"PairedDataSource (model.source.key={self.key!r}): sources and data must have "
                f"one shape; expected {tuple(x1.shape)}, got {tuple(x0.shape)}."
            )
        return SourceDraw(x0=x0)

    def draw(self, batch, shape, generators, device) -> Tensor:
        """The batch's source images (deterministic: no generator needed)."""
        return self._take(batch).to(device)

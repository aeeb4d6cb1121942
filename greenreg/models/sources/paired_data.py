"""Data-to-data flows: the source is another image of the same batch (style transfer)."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.models.sources.base import BaseSource, SourceDraw
from greenreg.registry import MODELS


@MODELS.register_module()
class PairedDataSource(BaseSource):
    """x0 = batch[key]: e.g. structure images flowing to styled ones (seed 002).

    With ``shuffle`` the training sources come in a random order within the batch (torch's
    global RNG, which RNGStateHook saves for resume): the data's own pairing is hidden and
    the coupling has to find each data sample a source, as in unpaired style transfer. The
    true partner is still in the batch, so how often a coupling recovers it is measurable.
    Sampling always uses the sources in their given order.

    Args:
        key (str): the batch key holding the source images, same shape as the data.
        shuffle (bool): permute the sources within the batch while training.

    Example:
        ``source=dict(type='PairedDataSource', key='source')``
    """

    def __init__(self, key: str = "source", shuffle: bool = False) -> None:
        super().__init__()
        self.key, self.keys, self.shuffle = key, (key,), shuffle

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
        if self.shuffle:
            x0 = x0[torch.randperm(len(x0)).to(x0.device)]
        return SourceDraw(x0=x0)

    def draw(self, batch, shape, generators, device) -> Tensor:
        """The batch's source images (deterministic: no generator needed)."""
        return self._take(batch).to(device)

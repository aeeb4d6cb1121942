"""Standard normal noise: the source of diffusion and noise-to-data flows."""

from __future__ import annotations

import torch
from torch import Tensor

from greenreg.models.sources.base import BaseSource, SourceDraw, seeded_normal
from greenreg.registry import MODELS


@MODELS.register_module()
class GaussianNoiseSource(BaseSource):
    """x0 ~ N(0, I) with the data's shape (float32 even under autocast).

    Example:
        ``source=dict(type='GaussianNoiseSource')``
    """

    def forward(self, batch: dict, x1: Tensor) -> SourceDraw:
        """Noise like x1 (B, ...)."""
        return SourceDraw(x0=torch.randn(x1.shape, device=x1.device, dtype=torch.float32))

    def draw(self, batch, shape, generators, device) -> Tensor:
        """Noise (B, *shape); B is the number of generators, or of the batch's first entry.

        Raises:
            ValueError: neither generators nor a tensor in ``batch`` give the batch size.
        """
        if generators:
            return seeded_normal(shape, generators, device)
        sized = [v for v in batch.values() if isinstance(v, Tensor) and v.dim()]
        if not sized:
            raise ValueError(
                f"GaussianNoiseSource.draw: cannot tell the batch size; expected one seed per "
                f"sample or a batch entry with a batch dimension, got keys {sorted(batch)}."
            )
        return torch.randn(len(sized[0]), *shape, device=device)

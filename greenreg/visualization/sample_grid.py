"""Image grids of generated samples."""

from __future__ import annotations

import numpy as np
import torch
from torch import Tensor
from torchvision.utils import make_grid


def sample_grid(samples: Tensor, labels: list[int] | None = None, per_row: int = 8) -> np.ndarray:
    """Arranges samples (N, C, H, W) in [-1, 1] into a uint8 HxWx3 image.

    With ``labels``, each row holds one label's samples (sorted by label, at most
    ``per_row`` each); without, samples fill rows of ``per_row`` in order.
    """
    if labels is not None:
        rows = []
        for label in sorted(set(labels)):
            picked = [s for s, y in zip(samples, labels) if y == label][:per_row]
            picked += [torch.full_like(samples[0], -1.0)] * (per_row - len(picked))
            rows.extend(picked)
        samples = torch.stack(rows)
    grid = make_grid(samples.float().cpu(), nrow=per_row, padding=2, pad_value=0.0)  # (3, H', W')
    image = ((grid.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return image.permute(1, 2, 0).numpy()

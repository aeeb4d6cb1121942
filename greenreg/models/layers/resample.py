"""Down- and up-sampling by 2 for U-Nets and VAEs."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class Downsample(nn.Module):
    """A stride-2 3x3 convolution: (B, C, H, W) -> (B, C_out, H/2, W/2)."""

    def __init__(self, channels: int, out_channels: int | None = None) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, out_channels or channels, 3, stride=2, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """Halves the side of x (B, C, H, W)."""
        return self.conv(x)


class Upsample(nn.Module):
    """Nearest-neighbour x2 then a 3x3 convolution: (B, C, H, W) -> (B, C_out, 2H, 2W)."""

    def __init__(self, channels: int, out_channels: int | None = None) -> None:
        super().__init__()
        self.conv = nn.Conv2d(channels, out_channels or channels, 3, padding=1)

    def forward(self, x: Tensor) -> Tensor:
        """Doubles the side of x (B, C, H, W)."""
        # fp32-safe: nearest interpolation copies values, no arithmetic in x's dtype
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))

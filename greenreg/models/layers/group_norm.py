"""GroupNorm and its adaptive (AdaGN) form, with statistics kept in fp32 under autocast."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def group_norm_fp32(x: Tensor, groups: int, eps: float = 1e-6) -> Tensor:
    """GroupNorm without affine, computed in fp32 and cast back to x's dtype.

    Seed 002 found bf16 error in GroupNorm/AdaGN statistics: the variance of a group of
    near-equal activations underflows in bf16's 8-bit mantissa.
    """
    with torch.autocast(x.device.type, enabled=False):
        return F.group_norm(x.float(), groups, eps=eps).to(x.dtype)


def check_groups(channels: int, groups: int, where: str) -> None:
    """Raises ValueError unless ``groups`` divides ``channels``."""
    if groups < 1 or channels % groups:
        raise ValueError(
            f"{where}: GroupNorm groups must divide the channels; expected a divisor of "
            f"{channels}, got {groups}."
        )


class Fp32GroupNorm(nn.GroupNorm):
    """``nn.GroupNorm`` whose statistics and affine run in fp32 (output in x's dtype)."""

    def forward(self, x: Tensor) -> Tensor:
        """Normalises x (B, C, ...) over groups of C; returns x's shape and dtype."""
        with torch.autocast(x.device.type, enabled=False):
            out = F.group_norm(x.float(), self.num_groups, self.weight, self.bias, self.eps)
        return out.to(x.dtype)


class AdaGroupNorm(nn.Module):
    """Adaptive GroupNorm (Dhariwal & Nichol 2021, ADM): GN(x) * (1 + scale) + shift.

    ``scale`` and ``shift`` come from a linear map of the embedding e (time + condition).
    The map is zero-initialised, so the layer starts as a plain GroupNorm; norm and
    modulation run in fp32.

    Args:
        channels (int): C of x.
        emb_dim (int): width of the embedding e.
        groups (int): GroupNorm groups; must divide C.
    """

    def __init__(self, channels: int, emb_dim: int, groups: int = 32) -> None:
        super().__init__()
        check_groups(channels, groups, "AdaGroupNorm.groups")
        self.groups = groups
        self.proj = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, 2 * channels))
        nn.init.zeros_(self.proj[-1].weight)
        nn.init.zeros_(self.proj[-1].bias)

    def forward(self, x: Tensor, emb: Tensor) -> Tensor:
        """Modulates x (B, C, H, W) by emb (B, E); returns (B, C, H, W) in x's dtype."""
        with torch.autocast(x.device.type, enabled=False):
            scale, shift = self.proj(emb.float()).chunk(2, dim=1)  # (B, C) each
            out = F.group_norm(x.float(), self.groups, eps=1e-6)
            out = out * (1 + scale[:, :, None, None]) + shift[:, :, None, None]
        return out.to(x.dtype)

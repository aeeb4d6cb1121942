"""AdaGN whose modulation MLP can be shared by several blocks, and its residual block.

Seed 002 (IsoNext): one MLP (embedding -> scale, shift) serves every 3 consecutive blocks
of equal width instead of one per block, and the normalisation and modulation stay in fp32
under bf16 autocast ("bf16 error x2.1" in the AdaGN statistics).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from greenreg.models.layers.group_norm import Fp32GroupNorm, check_groups


class AdaGNModulation(nn.Module):
    """SiLU -> Linear: the embedding e (B, E) to (scale, shift), each (B, C, 1, 1).

    Zero-initialised, so every block it serves starts as a plain GroupNorm.

    Args:
        emb_dim (int): width E of the embedding.
        channels (int): C of the blocks it modulates.
        use_fp32 (bool): compute in fp32 under autocast (else in autocast's dtype).
    """

    def __init__(self, emb_dim: int, channels: int, use_fp32: bool = True) -> None:
        super().__init__()
        self.channels, self.use_fp32 = channels, use_fp32
        self.proj = nn.Linear(emb_dim, 2 * channels)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, emb: Tensor) -> tuple[Tensor, Tensor]:
        """(scale, shift), each (B, C, 1, 1)."""
        if self.use_fp32:
            with torch.autocast(emb.device.type, enabled=False):
                out = self.proj(F.silu(emb.float()))  # (B, 2C)
        else:
            out = self.proj(F.silu(emb))
        scale, shift = out[:, :, None, None].chunk(2, dim=1)
        return scale, shift


def modulated_group_norm(
    x: Tensor, scale: Tensor, shift: Tensor, groups: int, use_fp32: bool
) -> Tensor:
    """GN(x) * (1 + scale) + shift for x (B, C, H, W), returned in x's dtype.

    With ``use_fp32`` the statistics and the modulation run in fp32; without, in x's own
    dtype (bf16 under autocast): the seed's failure mode, kept for its ablation.
    """
    dtype = torch.float32 if use_fp32 else x.dtype
    with torch.autocast(x.device.type, enabled=False):
        h = x.to(dtype)
        b, c = h.shape[:2]
        g = h.reshape(b, groups, -1)  # (B, G, C/G * H * W)
        mean = g.mean(-1, keepdim=True)
        var = (g - mean).square().mean(-1, keepdim=True)
        h = ((g - mean) * torch.rsqrt(var + 1e-6)).reshape_as(h)
        out = h * (1 + scale.to(dtype)) + shift.to(dtype)
    return out.to(x.dtype)


class ModulatedResBlock(nn.Module):
    """GN -> SiLU -> conv3x3 -> AdaGN(scale, shift) -> SiLU -> dropout -> conv3x3, + skip.

    ADM's block (see :class:`ResBlock`), but the AdaGN modulation is an input, computed by
    an :class:`AdaGNModulation` the block may share with its neighbours.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out; a 1x1 convolution maps the skip when they differ.
        dropout (float): dropout probability before the last convolution.
        groups (int): GroupNorm groups; must divide C_in and C_out.
        use_fp32_norm (bool): the modulated norm in fp32 under autocast.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        dropout: float = 0.0,
        groups: int = 32,
        use_fp32_norm: bool = True,
    ) -> None:
        super().__init__()
        check_groups(in_channels, groups, "ModulatedResBlock.groups")
        check_groups(out_channels, groups, "ModulatedResBlock.groups")
        self.groups, self.use_fp32_norm = groups, use_fp32_norm
        self.norm1 = Fp32GroupNorm(groups, in_channels, eps=1e-6)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)
        self.skip = (
            nn.Identity()
            if in_channels == out_channels
            else nn.Conv2d(in_channels, out_channels, 1)
        )

    def forward(self, x: Tensor, scale: Tensor, shift: Tensor) -> Tensor:
        """Maps x (B, C_in, H, W) under (scale, shift) (B, C_out, 1, 1) to (B, C_out, H, W)."""
        h = self.conv1(F.silu(self.norm1(x)))
        h = modulated_group_norm(h, scale, shift, self.groups, self.use_fp32_norm)
        h = self.conv2(self.dropout(F.silu(h)))
        return self.skip(x) + h

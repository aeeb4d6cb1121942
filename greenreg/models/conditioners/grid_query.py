"""Seed 001, option A: a learnable query grid cross-attends to the caption tokens."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import nn

from greenreg.models.conditioners.base import (
    BaseConditioner,
    LatentGaussian,
    split_moments,
    validate_latent_shape,
)
from greenreg.models.encoders import TextEncoding
from greenreg.models.layers import cpu_autocast_off, sincos_2d_embedding
from greenreg.registry import MODELS
from greenreg.utils import check_int


class DepthwiseConvBlock(nn.Module):
    """Residual depthwise 3x3 conv + pointwise conv: mixes each cell with its neighbours."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.depthwise = nn.Conv2d(channels, channels, 3, padding=1, groups=channels)
        self.norm = nn.GroupNorm(1, channels)
        self.pointwise = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(B, D, G, G) -> (B, D, G, G)."""
        return x + self.pointwise(F.gelu(self.norm(self.depthwise(x))))


@MODELS.register_module()
class GridQueryCrossAttnConditioner(BaseConditioner):
    """A G x G grid of learnable queries with 2-D position encoding reads the caption.

    Each cell cross-attends to the caption tokens, is refined by an MLP and by
    ``num_dwconv`` residual depthwise 3x3 convolutions (the spatial prior), and predicts
    (mu, log_var) for its s x s pixel block, s = H / G, placed by pixel shuffle.

    Args:
        text_width (int): width D_text of the text features.
        latent_shape (tuple[int, int, int]): (C, H, W) of the source, equal to the data shape.
        grid_size (int): G, cells per side; must divide H and W (the seed uses 16).
        width (int): cell feature width D.
        num_heads (int): cross-attention heads.
        num_dwconv (int): depthwise 3x3 blocks after attention (0 to disable).

    Example:
        ``dict(type='GridQueryCrossAttnConditioner', text_width=64, latent_shape=(1, 32, 32),
        grid_size=16)``
    """

    def __init__(
        self,
        text_width: int,
        latent_shape: tuple[int, int, int],
        grid_size: int = 16,
        width: int = 32,
        num_heads: int = 2,
        num_dwconv: int = 1,
    ) -> None:
        super().__init__()
        where = "GridQueryCrossAttnConditioner.{0} (model.source.conditioner.{0})"
        check_int(where.format("text_width"), text_width, 1)
        check_int(where.format("num_dwconv"), num_dwconv, 0)
        self.latent_shape = c, h, w = validate_latent_shape(
            "GridQueryCrossAttnConditioner", latent_shape
        )
        if h != w or h % grid_size:
            raise ValueError(
                f"GridQueryCrossAttnConditioner.grid_size "
                f"(model.source.conditioner.grid_size): must "
                f"divide the square latent side; expected a divisor of {h}, got {grid_size}."
            )
        if width % num_heads:
            raise ValueError(
                f"GridQueryCrossAttnConditioner.num_heads "
                f"(model.source.conditioner.num_heads): must "
                f"divide width; expected a divisor of {width}, got {num_heads}."
            )
        self.grid_size = grid_size
        self.scale = h // grid_size
        self.queries = nn.Parameter(torch.randn(grid_size * grid_size, width) * 0.02)
        self.register_buffer(
            "pos_embed", sincos_2d_embedding(grid_size, grid_size, width), persistent=False
        )
        self.text_proj = nn.Linear(text_width, width)
        self.attn = nn.MultiheadAttention(width, num_heads, batch_first=True)
        self.norm = nn.LayerNorm(width)
        self.mlp = nn.Sequential(
            nn.Linear(width, 2 * width), nn.GELU(), nn.Linear(2 * width, width)
        )
        self.dwconvs = nn.Sequential(*(DepthwiseConvBlock(width) for _ in range(num_dwconv)))
        self.head = nn.Conv2d(width, 2 * c * self.scale**2, 1)

    def forward(self, encoding: TextEncoding) -> LatentGaussian:
        """(B, L, D_text) text features -> mu, log_var of shape (B, C, H, W)."""
        batch = encoding.tokens.shape[0]
        queries = (self.queries + self.pos_embed).expand(batch, -1, -1)  # (B, G*G, D)
        padding = ~encoding.mask
        padding[:, 0] = False  # an all-padding caption still attends to its first slot
        with cpu_autocast_off(queries):  # CPU bf16 attention backward is slow: fp32 here
            keys = self.text_proj(encoding.tokens.float())  # (B, L, D)
            read, _ = self.attn(queries, keys, keys, key_padding_mask=padding, need_weights=False)
        cells = queries + read
        cells = cells + self.mlp(self.norm(cells))  # (B, G*G, D)
        grid = rearrange(cells, "b (h w) d -> b d h w", h=self.grid_size)  # (B, D, G, G)
        moments = F.pixel_shuffle(self.head(self.dwconvs(grid)), self.scale)  # (B, 2C, H, W)
        return split_moments(moments)

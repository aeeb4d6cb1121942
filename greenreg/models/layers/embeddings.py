"""Sinusoidal embeddings of time and of 2-D grid positions."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn


def sinusoidal_embedding(values: Tensor, dim: int, max_period: float = 10000.0) -> Tensor:
    """Transformer-style sinusoidal features of scalars (Vaswani et al. 2017, Sec. 3.5).

    Args:
        values (Tensor): shape (N,), any real values (times are scaled by the caller).
        dim (int): even feature size.
        max_period (float): longest wavelength.

    Returns:
        Tensor: shape (N, dim), cos features then sin features.
    """
    half = dim // 2
    freqs = torch.exp(
        -math.log(max_period) * torch.arange(half, device=values.device, dtype=torch.float32) / half
    )
    args = values.float()[:, None] * freqs[None]  # (N, half)
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def sincos_2d_embedding(height: int, width: int, dim: int) -> Tensor:
    """Fixed 2-D sine-cosine position encoding (MAE/DiT style): half the features per axis.

    Returns:
        Tensor: shape (height * width, dim), row-major over the grid.
    """
    if dim % 4:
        raise ValueError(f"sincos_2d_embedding: dim must be a multiple of 4, got {dim}.")
    ys, xs = torch.meshgrid(
        torch.arange(height, dtype=torch.float32),
        torch.arange(width, dtype=torch.float32),
        indexing="ij",
    )
    emb_y = sinusoidal_embedding(ys.flatten(), dim // 2, max_period=100.0)
    emb_x = sinusoidal_embedding(xs.flatten(), dim // 2, max_period=100.0)
    return torch.cat([emb_y, emb_x], dim=-1)  # (H*W, dim)


class TimeEmbedding(nn.Module):
    """t in [0, 1] -> sinusoidal features (t scaled by 1000) -> 2-layer MLP.

    Args:
        dim (int): output width D.
        frequency_dim (int): width of the sinusoidal features.
    """

    def __init__(self, dim: int, frequency_dim: int = 256) -> None:
        super().__init__()
        self.frequency_dim = frequency_dim
        self.mlp = nn.Sequential(nn.Linear(frequency_dim, dim), nn.SiLU(), nn.Linear(dim, dim))

    def forward(self, t: Tensor) -> Tensor:
        """Embeds t of shape (B,) into (B, D)."""
        # x1000: the sinusoid periods were designed for integer diffusion steps
        return self.mlp(sinusoidal_embedding(t * 1000.0, self.frequency_dim))

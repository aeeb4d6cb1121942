"""Transformer block with adaptive LayerNorm-zero conditioning (Peebles & Xie 2023, DiT)."""

from __future__ import annotations

from einops import rearrange
from torch import Tensor, nn

from greenreg.models.layers.attention import attention


def modulate(x: Tensor, shift: Tensor, scale: Tensor) -> Tensor:
    """X * (1 + scale) + shift, with (B, D) modulation broadcast over the L tokens of x."""
    return x * (1 + scale[:, None]) + shift[:, None]


class SelfAttention(nn.Module):
    """Multi-head self-attention over (B, L, D) tokens (see :func:`attention` for dtypes)."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(
                f"DiTBackbone.num_heads (model.backbone.num_heads): must divide width; "
                f"expected a divisor of {dim}, got {num_heads}."
            )
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> Tensor:
        """Attends x (B, L, D) to itself; returns (B, L, D)."""
        q, k, v = rearrange(self.qkv(x), "b l (k h d) -> k b h l d", k=3, h=self.num_heads)
        out = attention(q, k, v)  # (B, h, L, d)
        return self.proj(rearrange(out, "b h l d -> b l (h d)"))


class DiTBlock(nn.Module):
    """Pre-norm attention + MLP, each gated and modulated by the conditioning vector c.

    The modulation is zero-initialised, so each block starts as the identity.

    Args:
        dim (int): token width D.
        num_heads (int): attention heads; must divide D.
        mlp_ratio (float): hidden width of the MLP relative to D.
    """

    def __init__(self, dim: int, num_heads: int, mlp_ratio: float = 4.0) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(
            nn.Linear(dim, hidden), nn.GELU(approximate="tanh"), nn.Linear(hidden, dim)
        )
        self.ada_ln = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))
        nn.init.zeros_(self.ada_ln[-1].weight)
        nn.init.zeros_(self.ada_ln[-1].bias)

    def forward(self, x: Tensor, c: Tensor) -> Tensor:
        """Updates tokens x (B, L, D) under conditioning c (B, D); returns (B, L, D)."""
        shift1, scale1, gate1, shift2, scale2, gate2 = self.ada_ln(c).chunk(6, dim=-1)
        x = x + gate1[:, None] * self.attn(modulate(self.norm1(x), shift1, scale1))
        return x + gate2[:, None] * self.mlp(modulate(self.norm2(x), shift2, scale2))

"""A U-Net stage: a ResBlock followed by optional self- and cross-attention."""

from __future__ import annotations

from torch import Tensor, nn
from torch.utils.checkpoint import checkpoint

from greenreg.models.layers.attention import SpatialAttention
from greenreg.models.layers.res_block import ResBlock


class UNetStage(nn.Module):
    """ResBlock(C_in -> C_out, AdaGN on emb), then attention when ``attention`` is set.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        emb_dim (int): width of the time + condition embedding.
        dropout (float): the ResBlock's dropout.
        attention (bool): add self-attention over the H*W positions.
        num_heads (int): attention heads.
        context_dim (int | None): add cross-attention to condition tokens of this width.
        groups (int): GroupNorm groups.
        use_checkpoint (bool): recompute activations in the backward pass (less memory).
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        emb_dim: int,
        dropout: float = 0.0,
        attention: bool = False,
        num_heads: int = 4,
        context_dim: int | None = None,
        groups: int = 32,
        use_checkpoint: bool = False,
    ) -> None:
        super().__init__()
        self.res = ResBlock(in_channels, out_channels, emb_dim, dropout, groups)
        self.attn = SpatialAttention(out_channels, num_heads, None, groups) if attention else None
        self.cross = (
            SpatialAttention(out_channels, num_heads, context_dim, groups)
            if attention and context_dim is not None
            else None
        )
        self.use_checkpoint = use_checkpoint

    def _forward(self, x: Tensor, emb: Tensor, context: Tensor | None) -> Tensor:
        x = self.res(x, emb)
        if self.attn is not None:
            x = self.attn(x)
        if self.cross is not None:
            x = self.cross(x, context)
        return x

    def forward(self, x: Tensor, emb: Tensor, context: Tensor | None = None) -> Tensor:
        """Maps x (B, C_in, H, W) to (B, C_out, H, W) under emb (B, E) and context (B, L, D)."""
        if self.use_checkpoint and self.training and x.requires_grad:
            return checkpoint(self._forward, x, emb, context, use_reentrant=False)
        return self._forward(x, emb, context)

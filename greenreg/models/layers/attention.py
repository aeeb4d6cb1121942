"""Scaled dot-product attention with a dtype policy for CPU autocast, and 2-D attention."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch
import torch.nn.functional as F
from einops import rearrange
from torch import Tensor, nn

from greenreg.models.layers.group_norm import Fp32GroupNorm, check_groups


def attention(q: Tensor, k: Tensor, v: Tensor) -> Tensor:
    """``F.scaled_dot_product_attention`` of (B, h, L, d) heads; returns (B, h, L_q, d).

    Under CPU bf16 autocast the attention runs in fp32: torch's CPU flash-attention
    backward in bf16 took 44% of a DiT training step here (9.3 ms a call), the fp32
    kernel a fraction of that (bench/amp_speed.py). On GPUs the bf16 kernels are kept.
    """
    if q.device.type == "cpu" and q.dtype == torch.bfloat16:
        with torch.autocast("cpu", enabled=False):
            out = F.scaled_dot_product_attention(q.float(), k.float(), v.float())
        return out.to(q.dtype)
    return F.scaled_dot_product_attention(q, k, v)


def cpu_autocast_off(x: Tensor) -> AbstractContextManager:
    """A context that turns CPU bf16 autocast off around a block built on torch's attention.

    ``nn.MultiheadAttention`` and ``nn.TransformerEncoderLayer`` call the same CPU
    flash-attention kernels as :func:`attention`; their bf16 backward took 74 ms of a 108 ms
    U-Net main-job step here, fp32 20 ms (bench/amp_speed.py). Run such a block inside this
    context with fp32 inputs. Elsewhere (GPU, no autocast) it does nothing.

    Args:
        x (Tensor): any input of the block; its device decides.
    """
    if x.device.type == "cpu" and torch.is_autocast_enabled("cpu"):
        return torch.autocast("cpu", enabled=False)
    return nullcontext()


class SpatialAttention(nn.Module):
    """Self-attention over the H*W positions of a feature map, optionally cross-attention.

    As in ADM's attention blocks: GroupNorm, a 1x1 qkv projection, multi-head attention, a
    zero-initialised output projection and a residual, so the block starts as the identity.
    With ``context_dim`` the keys and values come from condition tokens instead (Rombach et
    al. 2022, latent diffusion's cross-attention).

    Args:
        channels (int): C of the feature map.
        num_heads (int): heads; must divide C.
        context_dim (int | None): width of condition tokens (B, L, D_ctx); None = self.
        groups (int): GroupNorm groups.
    """

    def __init__(
        self, channels: int, num_heads: int = 4, context_dim: int | None = None, groups: int = 32
    ) -> None:
        super().__init__()
        if num_heads < 1 or channels % num_heads:
            raise ValueError(
                f"SpatialAttention.num_heads: must divide the channels; expected a divisor "
                f"of {channels}, got {num_heads}."
            )
        check_groups(channels, groups, "SpatialAttention.groups")
        self.num_heads, self.context_dim = num_heads, context_dim
        self.norm = Fp32GroupNorm(groups, channels, eps=1e-6)
        if context_dim is None:
            self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        else:
            self.q = nn.Conv2d(channels, channels, 1)
            self.kv = nn.Linear(context_dim, 2 * channels)
        self.proj = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x: Tensor, context: Tensor | None = None) -> Tensor:
        """Attends x (B, C, H, W) to itself or to context (B, L, D_ctx); returns x's shape.

        Raises:
            ValueError: context missing for a cross-attention block, or of the wrong width.
        """
        h, w = x.shape[-2:]
        y = self.norm(x)
        if self.context_dim is None:
            q, k, v = rearrange(
                self.qkv(y), "b (k n d) h w -> k b n (h w) d", k=3, n=self.num_heads
            )
        else:
            if context is None or context.dim() != 3 or context.shape[-1] != self.context_dim:
                got = None if context is None else tuple(context.shape)
                raise ValueError(
                    f"SpatialAttention: cross-attention needs condition tokens of shape "
                    f"(B, L, {self.context_dim}), got {got}."
                )
            q = rearrange(self.q(y), "b (n d) h w -> b n (h w) d", n=self.num_heads)
            k, v = rearrange(
                self.kv(context.to(y.dtype)), "b l (k n d) -> k b n l d", k=2, n=self.num_heads
            )
        out = attention(q, k, v)  # (B, n, H*W, d)
        return x + self.proj(rearrange(out, "b n (h w) d -> b (n d) h w", h=h, w=w))

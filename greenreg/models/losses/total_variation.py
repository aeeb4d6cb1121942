"""Anisotropic total variation: a local-smoothness regulariser on images or latents."""

from __future__ import annotations

from torch import Tensor, nn

from greenreg.registry import MODELS


@MODELS.register_module()
class TotalVariationLoss(nn.Module):
    """Mean absolute difference between vertically and horizontally adjacent pixels.

    Seed 001 adds it to z_text with weight 1e-6..5e-6 to encourage local smoothness.

    Example:
        ``dict(type='TotalVariationLoss')``
    """

    def forward(self, x: Tensor) -> Tensor:
        """X of shape (B, C, H, W) -> per-sample TV (B,)."""
        dy = (x[:, :, 1:] - x[:, :, :-1]).abs().flatten(1).mean(1)
        dx = (x[..., 1:] - x[..., :-1]).abs().flatten(1).mean(1)
        return (dy + dx).float()
